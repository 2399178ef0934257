"""Japanese translations for the public projects site (merged by core/catalog/make_messages.py)."""

JA = {
    "So far": "これまでの歩み",
    "Projects born": "誕生したプロジェクト",
    "Organisations and people connected": "つながった団体・個人",
    "Stories published": "公開したストーリー",
    "Latest stories": "新着ストーリー",
    "All projects": "すべてのプロジェクト",
    "Project stories": "プロジェクトのストーリー",
    "Support that citizens proposed and that came true with collaborators, told as stories.":
        "市民の皆さんが提案し、協力者とともに実現した応援を、ストーリーでご紹介します。",
    "All calls for help": "すべての協力者募集",
    "Stories": "ストーリー",
    "Pages": "ページ",
    "Newer stories": "新しいストーリー",
    "Older stories": "以前のストーリー",
    "No story has been published here yet.": "まだ公開されたストーリーはありません。",
    "Published": "公開日",
}
