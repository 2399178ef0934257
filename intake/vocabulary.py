"""The words of the forms (DESIGN.md §4): categories, wards, and what collaborators offer.
Codes are stored; their labels are in intake/messages.py."""

from __future__ import annotations

CATEGORIES = (
    "children",
    "elderly",
    "disabilities",
    "students",
    "medical",
    "community",
    "culture_sports",
    "npo",
    "restaurants",
    "businesses",
    "foreign_residents",
    "other",
)
CITYWIDE = "citywide"
WARDS = (
    "higashinada",
    "nada",
    "chuo",
    "hyogo",
    "kita",
    "nagata",
    "suma",
    "tarumi",
    "nishi",
    CITYWIDE,
)
ORG_TYPES = (
    "individual",
    "npo",
    "business",
    "student_group",
    "neighbourhood_association",
    "welfare_facility",
    "school",
    "company",
    "other",
)
AVAILABILITIES = ("anytime", "weekdays", "weekends", "evenings")
OFFER_SUGGESTIONS = (
    "会場提供",
    "配送",
    "送迎",
    "人手",
    "物資提供",
    "寄付",
    "広報",
    "翻訳",
    "IT支援",
    "専門知識",
    "調理",
)
CAPACITY_MIN, CAPACITY_MAX = 1, 20
OFFER_MAX_LENGTH, OFFERS_MAX = 30, 15
INTRO_MAX = 2000
