"""The submissions graded. Each style's variants (every unit it rewrites) are graded in one
run, some with a probe of another style beside them where the two rewrite different
functions; each probe that loses points today is graded alone, on the tasks it costs, and
carries the reason the grader is wrong (KNOWN_GAPS)."""

from __future__ import annotations

from tests.correct import (
    formulas,
    helpers_style,
    idioms,
    loops,
    objects,
    probes,
    selftests,
    vectorised,
)
from tests.correct.corpus import Submission

# variant → (what the grader does wrong, text in each of its messages). Empty: the four
# gaps this corpus found (a class body's __slots__, matplotlib.use('Agg'), a NamedTuple
# and a defaultdict returned) are fixed, and each is still graded alone below.
KNOWN_GAPS: dict[str, tuple[str, str]] = {}


def submissions() -> list[Submission]:
    styles = [
        Submission("loops+selftests", (*loops.VARIANTS, *selftests.VARIANTS)),
        Submission("vectorised", (*vectorised.VARIANTS, probes.PLOT_PRINT_PNG)),
        Submission("objects", objects.VARIANTS),
        Submission(
            "helpers", (*helpers_style.VARIANTS, probes.MLP_IN_SEQUENTIAL, probes.PLOT_FILE_OBJECT)
        ),
        Submission("formulas", (*formulas.VARIANTS, probes.PLOT_PYPLOT)),
        Submission("idioms", idioms.VARIANTS),
    ]
    # each gap alone, graded on tasks it costs (the cheapest ones where it costs a whole unit)
    graded_on = {
        probes.CLASS_WITH_SLOTS: ("gradient_descent.mse_grad", "gradient_descent.sgd"),
        probes.MATPLOTLIB_USE_AGG: ("training.train_test_split", "training.min_max_scale"),
        probes.NAMED_TUPLE_RESULT: ("gradient_descent.batch_gd",),
        probes.DEFAULTDICT_HISTORY: ("training.fit_early_stopping",),
    }
    gaps = [
        Submission(variant.name, (variant,), *KNOWN_GAPS.get(variant.name, (None, "")), tasks=tasks)
        for variant, tasks in graded_on.items()
    ]
    return styles + gaps
