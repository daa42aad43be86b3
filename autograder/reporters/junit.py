"""JUnit XML for tools that read it: one testsuite per unit, one testcase per task, the
points in the testcase's properties; a lost task is a <failure> (or <error>, <skipped>).

Every text is safe (`safe_text`), so the document stays well-formed XML 1.0, which has
no way at all to write most control characters or a lone surrogate."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from autograder import safe_text
from autograder.results import GradeReport, TaskResult

KIND = {"failed": "failure", "timeout": "failure", "error": "error", "skipped": "skipped"}


def _case(suite: ET.Element, task: TaskResult) -> None:
    case_name = safe_text.line(task.id.split(".", 1)[1])
    case = ET.SubElement(suite, "testcase", classname=safe_text.line(task.unit), name=case_name)
    props = ET.SubElement(case, "properties")
    for name, value in (("score", task.score), ("max_score", task.max_score)):
        ET.SubElement(props, "property", name=name, value=f"{value:g}")
    ET.SubElement(props, "property", name="status", value=safe_text.line(task.status))
    if task.status == "not run":
        ET.SubElement(case, "skipped", message="not run")
    elif task.status in KIND:
        message = safe_text.line(task.message)
        node = ET.SubElement(case, KIND[task.status], message=message, type=task.status)
        node.text = safe_text.block("\n".join(filter(None, [task.message, task.detail])))


def to_xml(report: GradeReport) -> str:
    root = ET.Element("testsuites", name="autograder", tests=str(len(report.tasks)))
    for unit, tasks in report.units().items():
        lost = [t for t in tasks if t.status in KIND and t.status != "skipped"]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=safe_text.line(unit),
            tests=str(len(tasks)),
            failures=str(sum(KIND[t.status] == "failure" for t in lost)),
            errors=str(sum(KIND[t.status] == "error" for t in lost)),
            skipped=str(sum(t.status in ("skipped", "not run") for t in tasks)),
        )
        for task in tasks:
            _case(suite, task)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"
