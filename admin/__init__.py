"""The staff shell (knows intake): sign-in, second factor, sessions, roles and permissions,
the guard every staff page uses, the dashboard, case work, users, exports, the audit viewer.

permissions.py (the one role → permission table), auth.py (`staff_guard`, `StaffController`,
the `staff`/`actor` dependencies), workflow.py (the case status machine), cases.py (status
changes, contact log, notes, assignment), events.py (the `case_closed` hook), case_list.py
(lists, search, SLA), contact.py (masking, reveals, screened text), timeline.py, services.py
(accounts, passwords, TOTP, lockout), sessions.py, credentials.py, calendar.py, reports.py.
Other packages' staff pages live in those packages and build on `StaffController`."""
