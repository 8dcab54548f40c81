"""The live handoff pages' words in French, Arabic and English (part of console.i18n.STRINGS)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

HANDOFF_STRINGS: Final[Mapping[str, Mapping[str, str]]] = {
    "nav_handoffs": {"fr": "Demandes", "ar": "الطلبات", "en": "Handoffs"},
    "handoffs_title": {
        "fr": "Demandes de conseiller",
        "ar": "طلبات التحدث مع مستشار",
        "en": "Requests for an adviser",
    },
    "handoff_title": {"fr": "Demande n°", "ar": "الطلب رقم", "en": "Request no."},
    "handoffs_empty": {"fr": "Aucune demande.", "ar": "لا توجد أي طلبات.", "en": "No requests."},
    "handoff_status_open": {"fr": "en attente", "ar": "في الانتظار", "en": "waiting"},
    "handoff_status_taken": {"fr": "prise en charge", "ar": "قيد المعالجة", "en": "taken"},
    "handoff_status_closed": {
        "fr": "rendue à l'assistant",
        "ar": "أعيدت إلى المساعد",
        "en": "handed back",
    },
    "handoff_waited": {"fr": "Attente", "ar": "مدة الانتظار", "en": "Waited"},
    "handoff_minutes": {"fr": "min", "ar": "دقيقة", "en": "min"},
    "handoff_language": {"fr": "Langue", "ar": "اللغة", "en": "Language"},
    "handoff_channel": {"fr": "Canal", "ar": "القناة", "en": "Channel"},
    "handoff_region": {"fr": "Région", "ar": "الجهة", "en": "Region"},
    "handoff_no_region": {
        "fr": "inconnue (siège)",
        "ar": "غير معروفة (المقر)",
        "en": "unknown (head office)",
    },
    "handoff_taken_by": {"fr": "Pris par", "ar": "تكفل به", "en": "Taken by"},
    "handoff_created": {"fr": "Reçue", "ar": "تاريخ الاستلام", "en": "Received"},
    "handoff_rating": {"fr": "Note", "ar": "التقييم", "en": "Rating"},
    "handoff_open": {"fr": "Ouvrir", "ar": "فتح", "en": "Open"},
    "handoff_turns": {
        "fr": "Derniers messages lus par l'assistant",
        "ar": "آخر الرسائل كما قرأها المساعد",
        "en": "Last messages as the assistant read them",
    },
    "handoff_intent": {
        "fr": "Intention (confiance)",
        "ar": "القصد (الثقة)",
        "en": "Intent (confidence)",
    },
    "handoff_slots": {
        "fr": "Informations du formulaire",
        "ar": "معطيات الاستمارة",
        "en": "Form slots",
    },
    "handoff_registrations": {
        "fr": "Inscriptions du membre",
        "ar": "تسجيلات العضو",
        "en": "Member's registrations",
    },
    "handoff_contact": {
        "fr": "Joignable à (donné par le membre)",
        "ar": "وسيلة الاتصال (حسب العضو)",
        "en": "Reachable at (given by the member)",
    },
    "handoff_transcript": {"fr": "Échanges", "ar": "المحادثة", "en": "Transcript"},
    "handoff_from_member": {"fr": "Membre", "ar": "العضو", "en": "Member"},
    "handoff_from_staff": {"fr": "Conseiller", "ar": "المستشار", "en": "Adviser"},
    "handoff_from_system": {"fr": "Note", "ar": "ملاحظة", "en": "Note"},
    "handoff_note_member_back": {
        "fr": "le membre est revenu à l'assistant",
        "ar": "عاد العضو إلى المساعد الآلي",
        "en": "the member went back to the assistant",
    },
    "handoff_delivery_none": {"fr": "non envoyé", "ar": "لم يرسل", "en": "not sent"},
    "handoff_delivery_pending": {"fr": "envoi en cours", "ar": "قيد الإرسال", "en": "sending"},
    "handoff_delivery_sent": {"fr": "remis", "ar": "تم التسليم", "en": "delivered"},
    "handoff_delivery_failed": {
        "fr": "échec, nouvel essai automatique",
        "ar": "فشل، ستتم إعادة المحاولة تلقائيا",
        "en": "failed, retried automatically",
    },
    "handoff_take": {"fr": "Prendre en charge", "ar": "التكفل بالمحادثة", "en": "Take"},
    "handoff_reply": {"fr": "Répondre", "ar": "الرد", "en": "Reply"},
    "handoff_send": {"fr": "Envoyer", "ar": "إرسال", "en": "Send"},
    "handoff_canned": {"fr": "Réponse type", "ar": "رد جاهز", "en": "Canned reply"},
    "handoff_use": {"fr": "Utiliser", "ar": "استعمال", "en": "Use"},
    "handoff_hand_back": {
        "fr": "Rendre à l'assistant",
        "ar": "إعادة المحادثة إلى المساعد",
        "en": "Hand back to the assistant",
    },
    "handoff_take_first": {
        "fr": "Prenez la conversation en charge pour répondre.",
        "ar": "تكفل بالمحادثة أولا لتتمكن من الرد.",
        "en": "Take the conversation to reply.",
    },
    "handoff_done_take": {
        "fr": "Conversation prise en charge ; le membre est prévenu.",
        "ar": "تم التكفل بالمحادثة؛ تم إخبار العضو.",
        "en": "Conversation taken; the member was told.",
    },
    "handoff_done_reply": {"fr": "Réponse envoyée.", "ar": "تم إرسال الرد.", "en": "Reply sent."},
    "handoff_done_hand-back": {
        "fr": "Conversation rendue à l'assistant ; le membre peut noter l'aide reçue.",
        "ar": "أعيدت المحادثة إلى المساعد؛ يمكن للعضو تقييم المساعدة.",
        "en": "Handed back to the assistant; the member may rate the help.",
    },
    "handoff_delivery": {
        "fr": "Remise au membre",
        "ar": "التسليم للعضو",
        "en": "Delivery to the member",
    },
    "handoff_no_write_back": {
        "fr": "ce canal ne permet pas d'écrire au membre : utilisez le contact ci-dessus",
        "ar": "هذه القناة لا تسمح بمراسلة العضو: استعمل وسيلة الاتصال أعلاه",
        "en": "this channel cannot write to the member: use the contact above",
    },
    "handoff_conflict": {
        "fr": "Cette demande n'est pas dans un état qui permet cette action (déjà rendue ?).",
        "ar": "هذا الطلب ليس في حالة تسمح بهذا الإجراء (هل أعيد سابقا؟).",
        "en": "This request is not in a state that allows this (handed back already?).",
    },
    "handoff_rasa_down": {
        "fr": "Le serveur de l'assistant ne répond pas : rien n'a changé. Réessayez.",
        "ar": "خادم المساعد لا يستجيب: لم يتغير أي شيء. حاول مرة أخرى.",
        "en": "The assistant's server does not answer: nothing changed. Try again.",
    },
    "handoff_back": {
        "fr": "Retour aux demandes",
        "ar": "العودة إلى الطلبات",
        "en": "Back to requests",
    },
    "handoff_none": {"fr": "aucun", "ar": "لا شيء", "en": "none"},
}
