"""The registrations pages' words in French, Arabic and English (part of console.i18n.STRINGS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

REGISTRATION_STRINGS: Final[Mapping[str, Mapping[str, str]]] = {
    "events_registrations": {"fr": "Inscriptions", "ar": "التسجيلات", "en": "Registrations"},
    "registrations_title": {"fr": "Inscriptions", "ar": "التسجيلات", "en": "Registrations"},
    "registrations_export": {
        "fr": "Exporter en CSV",
        "ar": "تصدير بصيغة CSV",
        "en": "Export as CSV",
    },
    "registrations_empty": {
        "fr": "Aucune inscription.",
        "ar": "لا يوجد أي تسجيل.",
        "en": "No registrations.",
    },
    "registrations_back": {
        "fr": "Retour aux inscriptions",
        "ar": "العودة إلى التسجيلات",
        "en": "Back to registrations",
    },
    "reg_status_confirmed": {"fr": "confirmée", "ar": "مؤكد", "en": "confirmed"},
    "reg_status_waitlisted": {
        "fr": "liste d'attente",
        "ar": "لائحة الانتظار",
        "en": "waiting list",
    },
    "reg_status_cancelled": {"fr": "annulée", "ar": "ملغى", "en": "cancelled"},
    "reg_company": {"fr": "Entreprise", "ar": "المقاولة", "en": "Company"},
    "reg_contact": {"fr": "Contact", "ar": "جهة الاتصال", "en": "Contact"},
    "reg_member": {
        "fr": "Canal · langue du membre",
        "ar": "قناة العضو · لغته",
        "en": "Member's channel · language",
    },
    "reg_created": {
        "fr": "Inscrit le (UTC)",
        "ar": "تاريخ التسجيل (UTC)",
        "en": "Registered (UTC)",
    },
    "reg_no_member": {
        "fr": "aucun (pas de membre à prévenir)",
        "ar": "لا شيء (لا عضو لإخباره)",
        "en": "none (no member to tell)",
    },
    "reg_apply": {"fr": "Appliquer", "ar": "تطبيق", "en": "Apply"},
    "reg_notice_hint": {
        "fr": "Un changement de statut est annoncé au membre sur son canal, dans sa langue.",
        "ar": "يُخبَر العضو بكل تغيير في الحالة عبر قناته وبلغته.",
        "en": "A status change is told to the member on their channel, in their language.",
    },
    "registration_changed": {
        "fr": "Statut modifié",
        "ar": "تم تغيير الحالة",
        "en": "Status changed",
    },
    "registration_unchanged": {
        "fr": "Statut inchangé",
        "ar": "الحالة دون تغيير",
        "en": "Status unchanged",
    },
    "notice_sent": {
        "fr": "Le membre a été prévenu.",
        "ar": "تم إخبار العضو.",
        "en": "The member was told.",
    },
    "notice_failed": {
        "fr": "Le message au membre a échoué : notify-pending --retry-failed le renverra.",
        "ar": "فشل إرسال الرسالة إلى العضو: سيعيد notify-pending --retry-failed إرسالها.",
        "en": "The message to the member failed: notify-pending --retry-failed sends it again.",
    },
    "notice_pending": {
        "fr": "Message au membre en attente (canal non configuré) : notify-pending l'enverra.",
        "ar": "رسالة العضو معلقة (القناة غير مهيأة): سيرسلها notify-pending.",
        "en": "Message to the member pending (channel not configured): notify-pending sends it.",
    },
    "notice_no_member": {
        "fr": "Cette inscription n'a pas de membre à prévenir.",
        "ar": "لا يوجد عضو مرتبط بهذا التسجيل لإخباره.",
        "en": "This registration has no member to tell.",
    },
    "notice_unchanged": {
        "fr": "Le statut était déjà celui-ci : aucun message envoyé.",
        "ar": "كانت الحالة هي نفسها: لم تُرسل أي رسالة.",
        "en": "The status was already this one: no message sent.",
    },
    "registration_conflict": {
        "fr": "Ce membre a déjà une inscription confirmée à cet événement.",
        "ar": "لهذا العضو تسجيل مؤكد في هذا الحدث.",
        "en": "This member already has a confirmed registration to this event.",
    },
}
