"""The console's own words in French, Arabic and English, and each language's direction.

French first: it is the default, and the language of a login page nobody chose one for. A
signed-in staff member sees the language stored on their account (switchable on every page).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

LANGUAGES: Final = ("fr", "ar", "en")
DEFAULT: Final = "fr"
RIGHT_TO_LEFT: Final = frozenset({"ar"})
#: Each language's name in itself, for the language switch.
NAMES: Final = {"fr": "Français", "ar": "العربية", "en": "English"}

STRINGS: Final[Mapping[str, Mapping[str, str]]] = {
    "app_title": {
        "fr": "Console ASMEX",
        "ar": "لوحة تحكم ASMEX",
        "en": "ASMEX console",
    },
    "nav_home": {"fr": "Accueil", "ar": "الرئيسية", "en": "Home"},
    "nav_audit": {"fr": "Journal d'audit", "ar": "سجل التدقيق", "en": "Audit log"},
    "logout": {"fr": "Se déconnecter", "ar": "تسجيل الخروج", "en": "Sign out"},
    "language": {"fr": "Langue", "ar": "اللغة", "en": "Language"},
    "change": {"fr": "Changer", "ar": "تغيير", "en": "Change"},
    "login_title": {"fr": "Connexion", "ar": "تسجيل الدخول", "en": "Sign in"},
    "email": {"fr": "Adresse e-mail", "ar": "البريد الإلكتروني", "en": "E-mail address"},
    "password": {"fr": "Mot de passe", "ar": "كلمة المرور", "en": "Password"},
    "login_submit": {"fr": "Se connecter", "ar": "دخول", "en": "Sign in"},
    "login_failed": {
        "fr": "Adresse ou mot de passe incorrect, ou trop d'essais : réessayez dans 15 minutes.",
        "ar": "البريد أو كلمة المرور غير صحيحة، أو محاولات كثيرة: أعد المحاولة بعد 15 دقيقة.",
        "en": "Wrong e-mail or password, or too many attempts: try again in 15 minutes.",
    },
    "login_missing": {
        "fr": "Indiquez votre adresse e-mail et votre mot de passe.",
        "ar": "أدخل بريدك الإلكتروني وكلمة المرور.",
        "en": "Enter your e-mail address and password.",
    },
    "signed_in_as": {"fr": "Connecté·e :", "ar": "متصل باسم:", "en": "Signed in as"},
    "role_admin": {"fr": "administrateur", "ar": "مسؤول", "en": "administrator"},
    "role_delegate": {"fr": "délégué régional", "ar": "مندوب جهوي", "en": "regional delegate"},
    "home_title": {"fr": "Tableau de bord", "ar": "لوحة القيادة", "en": "Dashboard"},
    "home_intro": {
        "fr": "La console du personnel de l'ASMEX. Ces pages arrivent bientôt :",
        "ar": "لوحة تحكم موظفي ASMEX. هذه الصفحات قادمة قريبا:",
        "en": "The ASMEX staff console. These pages are coming soon:",
    },
    "coming_events": {
        "fr": "Événements : créer, modifier, clore les inscriptions",
        "ar": "الأحداث: الإنشاء والتعديل وإغلاق التسجيل",
        "en": "Events: create, edit, close registrations",
    },
    "coming_registrations": {
        "fr": "Inscriptions : consulter et exporter",
        "ar": "التسجيلات: الاطلاع والتصدير",
        "en": "Registrations: view and export",
    },
    "coming_handoffs": {
        "fr": "Demandes de contact : lire et répondre aux membres",
        "ar": "طلبات التواصل: القراءة والرد على الأعضاء",
        "en": "Handoffs: read and answer members",
    },
    "coming_analytics": {
        "fr": "Statistiques des conversations",
        "ar": "إحصائيات المحادثات",
        "en": "Conversation analytics",
    },
    "audit_title": {"fr": "Journal d'audit", "ar": "سجل التدقيق", "en": "Audit log"},
    "audit_when": {"fr": "Date (UTC)", "ar": "التاريخ (UTC)", "en": "When (UTC)"},
    "audit_who": {"fr": "Auteur", "ar": "المنفذ", "en": "Who"},
    "audit_action": {"fr": "Action", "ar": "الإجراء", "en": "Action"},
    "audit_target": {"fr": "Cible", "ar": "الهدف", "en": "Target"},
    "audit_details": {"fr": "Détails", "ar": "التفاصيل", "en": "Details"},
    "audit_empty": {
        "fr": "Aucune entrée pour l'instant.",
        "ar": "لا توجد أي عملية بعد.",
        "en": "No entries yet.",
    },
    "newer": {"fr": "Plus récentes", "ar": "الأحدث", "en": "Newer"},
    "older": {"fr": "Plus anciennes", "ar": "الأقدم", "en": "Older"},
    "error_401": {
        "fr": "Connectez-vous pour continuer.",
        "ar": "سجل الدخول للمتابعة.",
        "en": "Sign in to continue.",
    },
    "error_403": {
        "fr": "Cette page ne vous est pas accessible.",
        "ar": "لا يمكنك الوصول إلى هذه الصفحة.",
        "en": "You do not have access to this page.",
    },
    "error_csrf": {
        "fr": "Le formulaire a expiré : rechargez la page et recommencez.",
        "ar": "انتهت صلاحية الاستمارة: أعد تحميل الصفحة وحاول من جديد.",
        "en": "The form has expired: reload the page and try again.",
    },
    "error_400": {
        "fr": "Requête invalide.",
        "ar": "طلب غير صالح.",
        "en": "Invalid request.",
    },
    "error_404": {"fr": "Page introuvable.", "ar": "الصفحة غير موجودة.", "en": "Page not found."},
    "error_405": {
        "fr": "Méthode non autorisée.",
        "ar": "طريقة غير مسموح بها.",
        "en": "Method not allowed.",
    },
    "error_413": {
        "fr": "Requête trop volumineuse.",
        "ar": "الطلب كبير جدا.",
        "en": "Request too large.",
    },
    "error_503": {
        "fr": "Base de données indisponible : réessayez dans un instant.",
        "ar": "قاعدة البيانات غير متاحة: أعد المحاولة بعد قليل.",
        "en": "Database unavailable: try again in a moment.",
    },
    "error_500": {
        "fr": "Erreur interne : réessayez plus tard.",
        "ar": "خطأ داخلي: أعد المحاولة لاحقا.",
        "en": "Internal error: try again later.",
    },
    "back_home": {"fr": "Retour à l'accueil", "ar": "العودة إلى الرئيسية", "en": "Back to home"},
}


def choose(value: object) -> str | None:
    """``value`` when it names a console language, else None."""
    return value if isinstance(value, str) and value in LANGUAGES else None


def direction(language: str) -> str:
    """``rtl`` for Arabic, ``ltr`` otherwise (the page's ``dir``)."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def text(language: str, key: str) -> str:
    """The string ``key`` in ``language`` (French when the language is unknown)."""
    entry = STRINGS[key]
    return entry.get(language) or entry[DEFAULT]


class Translator:
    """``t("key")`` in templates: the strings of one language."""

    def __init__(self, language: str) -> None:
        self.language = choose(language) or DEFAULT

    def __call__(self, key: str) -> str:
        return text(self.language, key)

    @property
    def direction(self) -> str:
        return direction(self.language)
