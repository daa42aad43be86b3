c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file
c.CourseDirectory.course_id = "dl-fundamentals"
c.Execute.timeout = 600  # a check grades its whole unit (once) in a sandboxed worker
