"""Publishing (knows admin, intake, matching): stories with review and the applicant's consent,
their staff pages, the public projects site and its feed.

models.py (Story, StoryPhoto, StoryStatus), workflow.py (the story state machine),
services.py and consent.py (the steps), story_controllers.py / story_pages.py (staff pages),
consent_controllers.py (the applicant's links), public.py / controllers.py (the public site,
its cache), markdown.py, photos.py, validation.py, reactions.py (take stories down when a case
is withdrawn or spam), demo.py (the showcase; it touches every package)."""
