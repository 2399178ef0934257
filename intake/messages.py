"""Labels and error messages of the proposal and collaborator forms, marked for the
catalogues."""

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

# Refused steps of intake's services (core.errors.DomainError codes), shown on staff pages.
MESSAGES = {
    "collaborator_action_invalid": N_("This change is not possible from the collaborator's "
                                      "current status."),
    "self_service_erased": N_("This person's data has been erased."),
}

ERRORS = {
    "required": N_("Please fill in %(field)s."),
    "bad_characters": N_("%(field)s contains characters that cannot be used (such as line "
                         "breaks or control characters)."),
    "too_long_50": N_("%(field)s must be 50 characters or fewer."),
    "too_long_60": N_("%(field)s must be 60 characters or fewer."),
    "too_long_100": N_("%(field)s must be 100 characters or fewer."),
    "too_long_2000": N_("%(field)s must be 2,000 characters or fewer."),
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
    "choose_some": N_("Please choose at least one option in %(field)s."),
    "offers_required": N_("Please tick or write at least one thing you can offer."),
    "offer_too_long": N_("Each thing you can offer must be 30 characters or fewer."),
    "offers_too_many": N_("Please list at most 15 things you can offer."),
    "capacity_invalid": N_("Please enter a number from 1 to 20 for %(field)s."),
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

COLLABORATOR_LABELS = {
    "display_name": N_("Name for contact (a nickname is fine)"),
    "org_name": N_("Organisation name"),
    "org_type": N_("Type of organisation"),
    "email": N_("Email"),
    "phone": N_("Phone number"),
    "categories": N_("Categories you care about"),
    "wards": N_("Areas where you can help"),
    "offers": N_("What you can offer"),
    "offers_other": N_("Other things you can offer"),
    "availability": N_("When you are available"),
    "capacity": N_("How many projects at once"),
    "intro": N_("Short introduction"),
    "consent": N_("I have read the privacy policy and agree to be introduced to people "
                  "who propose support"),
}

ORG_TYPE_LABELS = {
    "individual": N_("Individual"),
    "npo": N_("NPO or civic group"),
    "business": N_("Shop or self-employed"),
    "student_group": N_("Student group"),
    "neighbourhood_association": N_("Neighbourhood association"),
    "welfare_facility": N_("Welfare facility"),
    "school": N_("School"),
    "company": N_("Company"),
    "other": N_("Other"),
}

AVAILABILITY_LABELS = {
    "anytime": N_("Any time"),
    "weekdays": N_("Weekdays"),
    "weekends": N_("Weekends and holidays"),
    "evenings": N_("Evenings"),
}

# The suggested tags are stored in Japanese; the Japanese catalogue maps each English label
# back to exactly the tag, so a Japanese page shows the tag itself.
OFFER_LABELS = {
    "会場提供": N_("Providing a venue"),
    "配送": N_("Delivery"),
    "送迎": N_("Driving people"),
    "人手": N_("Helping hands"),
    "物資提供": N_("Providing goods"),
    "寄付": N_("Donations"),
    "広報": N_("Publicity"),
    "翻訳": N_("Translation"),
    "IT支援": N_("IT support"),
    "専門知識": N_("Expert knowledge"),
    "調理": N_("Cooking"),
}


# A proposal's status as its applicant reads it (/my).
PROPOSAL_STATUS_LABELS = {
    "new": N_("Received: the secretariat will contact you soon"),
    "in_contact": N_("The secretariat is in contact with you"),
    "seeking": N_("Looking for collaborators"),
    "matched": N_("Introduced to a collaborator"),
    "active": N_("Under way"),
    "completed": N_("Completed"),
    "declined": N_("Not taken forward"),
    "withdrawn": N_("Withdrawn"),
    "spam": N_("Not taken forward"),
}

# A collaborator's status as they read it themselves (/my).
COLLABORATOR_STATUS_WORDS = {
    "active": N_("Available for introductions"),
    "paused": N_("Paused: no introductions for now"),
    "retired": N_("Retired"),
}

# What a step on /my did, shown at the top of the page after it.
SELF_SERVICE_DONE = {
    "corrected": N_("Your corrections are saved. The secretariat can see that you corrected "
                    "your details."),
    "withdrawn": N_("Your proposal is withdrawn."),
    "pause": N_("You are paused: nobody will be introduced to you for now."),
    "retire": N_("You have retired. Thank you for your help."),
    "reactivate": N_("You are available for introductions again."),
    "unconfirmed": N_("Nothing was changed: please tick the box to confirm."),
    "unchanged": N_("Nothing was changed."),
}

NOT_SAVED_NOW = N_("Your proposal could not be saved just now: the service is briefly "
                   "unavailable. Everything you entered is still here; please press Send "
                   "again in a few minutes.")
