"""Japanese translations for case work (merged by core/catalog/make_messages.py)."""

JA = {
    "Status changed": "ステータス変更",
    "Reopened": "再開",
    "Reason": "理由",
    "Japan time": "日本時間",
    "When (Japan time; leave empty for now)": "日時（日本時間。空欄なら現在）",
    "Please enter when the contact took place as a date and time (Japan time), not in the "
    "future and not before the proposal arrived.":
        "連絡した日時を日本時間で入力してください。未来の日時や、応募を受け付ける前の日時は入力できません。",
    "First contact is due within %(days)s business days of verification.":
        "初回連絡の期限は、メール確認から%(days)s営業日以内です。",
    "more than %(days)s business days": "%(days)s営業日超",
}
