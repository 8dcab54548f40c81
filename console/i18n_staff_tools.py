"""The console's words for the canned replies and the account page, in French, Arabic and
English (merged into console.i18n.STRINGS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

STAFF_TOOLS_STRINGS: Final[Mapping[str, Mapping[str, str]]] = {
    "nav_canned": {"fr": "Réponses types", "ar": "الردود الجاهزة", "en": "Canned replies"},
    "nav_profile": {"fr": "Mon compte", "ar": "حسابي", "en": "My account"},
    "canned_title": {"fr": "Réponses types", "ar": "الردود الجاهزة", "en": "Canned replies"},
    "canned_intro": {
        "fr": "Le personnel les choisit dans le formulaire de réponse, dans la langue du membre, "
        "et les modifie avant l'envoi.",
        "ar": "يختارها الموظفون في استمارة الرد، بلغة العضو، ويعدّلونها قبل الإرسال.",
        "en": "Staff pick them in the reply form, in the member's language, and edit them "
        "before sending.",
    },
    "canned_new": {"fr": "Nouvelle réponse type", "ar": "رد جاهز جديد", "en": "New canned reply"},
    "canned_edit": {"fr": "Modifier", "ar": "تعديل", "en": "Edit"},
    "canned_delete": {"fr": "Supprimer", "ar": "حذف", "en": "Delete"},
    "canned_confirm_delete": {
        "fr": "Supprimer cette réponse type ? Elle ne sera plus proposée.",
        "ar": "حذف هذا الرد الجاهز؟ لن يُقترح بعد الآن.",
        "en": "Delete this canned reply? It will no longer be offered.",
    },
    "canned_confirm": {"fr": "Confirmer", "ar": "تأكيد", "en": "Confirm"},
    "canned_save": {"fr": "Enregistrer", "ar": "حفظ", "en": "Save"},
    "canned_back": {
        "fr": "Retour aux réponses types",
        "ar": "العودة إلى الردود الجاهزة",
        "en": "Back to canned replies",
    },
    "canned_field_title": {
        "fr": "Titre (vu du personnel seulement)",
        "ar": "العنوان (يراه الموظفون فقط)",
        "en": "Title (seen by staff only)",
    },
    "canned_field_text_fr": {
        "fr": "Texte en français",
        "ar": "النص بالفرنسية",
        "en": "French text",
    },
    "canned_field_text_ar": {"fr": "Texte en arabe", "ar": "النص بالعربية", "en": "Arabic text"},
    "canned_field_text_en": {
        "fr": "Texte en anglais",
        "ar": "النص بالإنجليزية",
        "en": "English text",
    },
    "canned_updated": {"fr": "Modifiée le (UTC)", "ar": "آخر تعديل (UTC)", "en": "Updated (UTC)"},
    "canned_empty": {
        "fr": "Aucune réponse type pour l'instant.",
        "ar": "لا توجد ردود جاهزة بعد.",
        "en": "No canned reply yet.",
    },
    "canned_problems": {
        "fr": "Rien n'a été enregistré. À corriger :",
        "ar": "لم يُحفظ أي شيء. يجب تصحيح ما يلي:",
        "en": "Nothing was saved. To correct:",
    },
    "canned_required": {
        "fr": "Ce champ est obligatoire.",
        "ar": "هذا الحقل إلزامي.",
        "en": "This field is required.",
    },
    "canned_too_long": {
        "fr": "Trop long (titre : 100 caractères au plus, texte : 2000).",
        "ar": "طويل جدا (العنوان: 100 حرف على الأكثر، النص: 2000).",
        "en": "Too long (title: 100 characters at most, text: 2000).",
    },
    "profile_title": {"fr": "Mon compte", "ar": "حسابي", "en": "My account"},
    "profile_role": {"fr": "Rôle", "ar": "الدور", "en": "Role"},
    "profile_region": {"fr": "Région", "ar": "الجهة", "en": "Region"},
    "profile_language": {
        "fr": "Langue de la console",
        "ar": "لغة لوحة التحكم",
        "en": "Console language",
    },
    "profile_language_help": {
        "fr": "La console s'affiche dans cette langue sur tous vos appareils ; "
        "l'arabe se lit de droite à gauche.",
        "ar": "تظهر لوحة التحكم بهذه اللغة على جميع أجهزتك؛ والعربية تُقرأ من اليمين إلى اليسار.",
        "en": "The console shows in this language on all your devices; Arabic reads right to left.",
    },
    "profile_save": {"fr": "Enregistrer", "ar": "حفظ", "en": "Save"},
    "profile_saved": {
        "fr": "Langue enregistrée.",
        "ar": "تم حفظ اللغة.",
        "en": "Language saved.",
    },
}
