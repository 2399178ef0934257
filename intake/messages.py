"""Labels and error messages of the proposal form, marked for the catalogues."""

from __future__ import annotations

from core.i18n import N_

LABELS = {
    "org_name": N_("Organisation name"),
    "nickname": N_("Nickname for contact (for organisations, your department)"),
    "email": N_("Email"),
    "phone": N_("Phone number"),
    "website_url": N_("Website URL"),
    "facebook_url": N_("Facebook account URL"),
    "twitter": N_("Twitter (X) account name"),
    "catchphrase": N_("Catchphrase"),
    "category": N_("Category"),
    "body": N_("What you want to support"),
    "ward": N_("Area of activity"),
    "consent": N_("I have read the privacy policy"),
}

ERRORS = {
    "required": N_("Please fill in %(field)s."),
    "bad_characters": N_("%(field)s contains characters that cannot be used (such as line "
                         "breaks or control characters)."),
    "too_long_50": N_("%(field)s must be 50 characters or fewer."),
    "too_long_60": N_("%(field)s must be 60 characters or fewer."),
    "too_long_100": N_("%(field)s must be 100 characters or fewer."),
    "too_long_8000": N_("%(field)s must be 8,000 characters or fewer."),
    "email_invalid": N_("Please enter an email address such as name@example.jp."),
    "phone_invalid": N_("Please enter a Japanese phone number such as 078-322-0000 or "
                        "090-1234-5678."),
    "url_invalid": N_("Please enter a web address starting with http:// or https://."),
    "facebook_invalid": N_("Please enter the address of a Facebook page "
                           "(https://www.facebook.com/…)."),
    "twitter_invalid": N_("Please enter an account name such as @kobe_ouen, or its "
                          "x.com address."),
    "choice_invalid": N_("Please choose %(field)s from the list."),
    "consent_required": N_("Please read the privacy policy and tick the box to agree."),
}

CATEGORY_LABELS = {
    "children": N_("Children"),
    "elderly": N_("Older people"),
    "disabilities": N_("People with disabilities"),
    "students": N_("Students"),
    "medical": N_("Healthcare workers"),
    "community": N_("Local community"),
    "culture_sports": N_("Culture, arts and sports"),
    "npo": N_("NPOs"),
    "restaurants": N_("Restaurants"),
    "businesses": N_("Businesses"),
    "foreign_residents": N_("Foreign residents"),
    "other": N_("Other"),
}

WARD_LABELS = {
    "higashinada": N_("Higashinada Ward"),
    "nada": N_("Nada Ward"),
    "chuo": N_("Chuo Ward"),
    "hyogo": N_("Hyogo Ward"),
    "kita": N_("Kita Ward"),
    "nagata": N_("Nagata Ward"),
    "suma": N_("Suma Ward"),
    "tarumi": N_("Tarumi Ward"),
    "nishi": N_("Nishi Ward"),
    "citywide": N_("Whole city"),
}
