"""Matching (knows admin, intake): the engine, introductions, projects and public calls, and
the collaborator pool's staff pages.

models.py (Match, Project, ProjectMember, Call), engine.py / peers.py / text.py / lexicon.py
(ranking with reasons), service.py (the per-process indexes kept in step with the database),
introductions.py (consent on both sides), reminders.py (the hourly chore), summaries.py (what
each side may learn before consent), projects.py (teams and calls), reactions.py (withdraw
introductions when a case closes or a collaborator leaves), evaluation.py; staff pages in
collaborator_controllers.py, match_controllers.py, project_controllers.py; public pages in
controllers.py."""
