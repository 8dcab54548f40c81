"""The console's own words in French, Arabic and English, and each language's direction.

French first: it is the default, and the language of a login page nobody chose one for. A
signed-in staff member sees the language stored on their account (switchable on every page).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from console.i18n_analytics import ANALYTICS
from console.i18n_handoffs import HANDOFF_STRINGS
from console.i18n_registrations import REGISTRATION_STRINGS
from console.i18n_staff_tools import STAFF_TOOLS_STRINGS

LANGUAGES: Final = ("fr", "ar", "en")
DEFAULT: Final = "fr"
RIGHT_TO_LEFT: Final = frozenset({"ar"})
#: Each language's name in itself, for the language switch.
NAMES: Final = {"fr": "Français", "ar": "العربية", "en": "English"}

STRINGS: Final[Mapping[str, Mapping[str, str]]] = {
    **ANALYTICS,
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
    "home_waiting": {
        "fr": "Demandes de conseiller en attente",
        "ar": "طلبات التحدث مع مستشار في الانتظار",
        "en": "Requests for an adviser waiting",
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
    "nav_events": {"fr": "Événements", "ar": "الأحداث", "en": "Events"},
    "events_title": {"fr": "Événements", "ar": "الأحداث", "en": "Events"},
    "events_new": {"fr": "Nouvel événement", "ar": "حدث جديد", "en": "New event"},
    "events_upload": {"fr": "Importer un fichier", "ar": "استيراد ملف", "en": "Upload a file"},
    "events_search": {"fr": "Rechercher", "ar": "بحث", "en": "Search"},
    "events_text": {"fr": "Texte", "ar": "نص", "en": "Text"},
    "events_country": {"fr": "Pays", "ar": "البلد", "en": "Country"},
    "events_sector": {"fr": "Secteur", "ar": "القطاع", "en": "Sector"},
    "events_type": {"fr": "Type", "ar": "النوع", "en": "Type"},
    "events_status": {"fr": "Statut", "ar": "الحالة", "en": "Status"},
    "events_dates": {"fr": "Dates", "ar": "التواريخ", "en": "Dates"},
    "events_title_col": {"fr": "Titre", "ar": "العنوان", "en": "Title"},
    "events_any": {"fr": "Tous", "ar": "الكل", "en": "Any"},
    "events_past": {"fr": "passé", "ar": "منتهٍ", "en": "past"},
    "events_count": {
        "fr": "événements trouvés :",
        "ar": "الأحداث الموجودة:",
        "en": "events found:",
    },
    "events_empty": {
        "fr": "Aucun événement ne correspond.",
        "ar": "لا يوجد أي حدث مطابق.",
        "en": "No event matches.",
    },
    "events_edit": {"fr": "Modifier", "ar": "تعديل", "en": "Edit"},
    "events_close": {
        "fr": "Clore les inscriptions",
        "ar": "إغلاق التسجيل",
        "en": "Close registrations",
    },
    "events_cancel": {"fr": "Annuler l'événement", "ar": "إلغاء الحدث", "en": "Cancel the event"},
    "events_confirm_close": {
        "fr": "Clore les inscriptions à cet événement ? Il aura toujours lieu.",
        "ar": "إغلاق التسجيل في هذا الحدث؟ سيُقام الحدث رغم ذلك.",
        "en": "Close registrations for this event? It still takes place.",
    },
    "events_confirm_cancel": {
        "fr": "Annuler cet événement ? Il n'aura pas lieu et n'est plus proposé aux membres.",
        "ar": "إلغاء هذا الحدث؟ لن يُقام ولن يُعرض على الأعضاء بعد الآن.",
        "en": "Cancel this event? It will not take place and is no longer offered to members.",
    },
    "events_confirm": {"fr": "Confirmer", "ar": "تأكيد", "en": "Confirm"},
    "events_back": {
        "fr": "Retour aux événements",
        "ar": "العودة إلى الأحداث",
        "en": "Back to events",
    },
    "events_save": {"fr": "Enregistrer", "ar": "حفظ", "en": "Save"},
    "events_form_intro": {
        "fr": "Les champs du fichier d'import, vérifiés comme lui ; "
        "les erreurs sont celles de l'import.",
        "ar": "حقول ملف الاستيراد، تُفحص كما يُفحص؛ والأخطاء هي أخطاء الاستيراد نفسها.",
        "en": "The import file's fields, checked as it is; the errors are the import's own.",
    },
    "events_problems": {
        "fr": "Rien n'a été enregistré. À corriger :",
        "ar": "لم يُحفظ أي شيء. يجب تصحيح ما يلي:",
        "en": "Nothing was saved. To correct:",
    },
    "slug_taken": {
        "fr": "Un événement porte déjà cet identifiant : modifiez-le plutôt.",
        "ar": "يوجد حدث بهذا المعرّف: عدّله بدلا من ذلك.",
        "en": "An event already has this slug: edit it instead.",
    },
    "events_done": {"fr": "Enregistré", "ar": "تم الحفظ", "en": "Saved"},
    "events_created": {"fr": "créés", "ar": "أُنشئت", "en": "created"},
    "events_updated": {"fr": "modifiés", "ar": "عُدّلت", "en": "updated"},
    "events_unchanged": {"fr": "inchangés", "ar": "دون تغيير", "en": "unchanged"},
    "alerts_sent": {"fr": "Alertes envoyées", "ar": "التنبيهات المرسلة", "en": "Alerts sent"},
    "alerts_failed": {"fr": "échouées", "ar": "فشلت", "en": "failed"},
    "alerts_skipped": {"fr": "ignorées", "ar": "تُخطّيت", "en": "skipped"},
    "alerts_none": {
        "fr": "Aucun abonné concerné : pas d'alerte.",
        "ar": "لا يوجد مشترك معني: لا تنبيه.",
        "en": "No matching subscriber: no alert.",
    },
    "alerts_pending": {
        "fr": "Alertes en attente (aucun canal configuré, ou erreur) : lancez notify-pending.",
        "ar": "تنبيهات معلقة (لا توجد قناة مهيأة، أو خطأ): شغّل notify-pending.",
        "en": "Alerts pending (no channel configured, or an error): run notify-pending.",
    },
    "upload_intro": {
        "fr": "Un fichier YAML ou CSV au format de l'import (60 Ko au plus), vérifié en entier : "
        "rien n'est écrit si une ligne est fausse.",
        "ar": "ملف YAML أو CSV بصيغة الاستيراد (60 كيلوبايت على الأكثر)، يُفحص كاملا: "
        "لا يُكتب أي شيء إذا كان أي سطر خاطئا.",
        "en": "A YAML or CSV file in the import format (60 KB at most), checked whole: "
        "nothing is written when any row is wrong.",
    },
    "upload_file": {"fr": "Fichier", "ar": "الملف", "en": "File"},
    "upload_submit": {"fr": "Importer", "ar": "استيراد", "en": "Import"},
    "upload_missing": {
        "fr": "Choisissez un fichier à importer.",
        "ar": "اختر ملفا للاستيراد.",
        "en": "Choose a file to upload.",
    },
    "upload_type": {
        "fr": "Type de fichier refusé : .yml, .yaml ou .csv seulement.",
        "ar": "نوع ملف مرفوض: ‎.yml أو ‎.yaml أو ‎.csv فقط.",
        "en": "File type refused: .yml, .yaml or .csv only.",
    },
    "upload_size": {
        "fr": "Fichier trop gros (60 Ko au plus) : découpez-le, ou utilisez import-events.",
        "ar": "الملف كبير جدا (60 كيلوبايت على الأكثر): قسّمه أو استعمل import-events.",
        "en": "File too large (60 KB at most): split it, or use import-events.",
    },
    "upload_encoding": {
        "fr": "Le fichier n'est pas du texte UTF-8.",
        "ar": "الملف ليس نصا بترميز UTF-8.",
        "en": "The file is not UTF-8 text.",
    },
    **STAFF_TOOLS_STRINGS,
    **REGISTRATION_STRINGS,
    **HANDOFF_STRINGS,
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
