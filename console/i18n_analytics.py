"""The analytics page's words in French, Arabic and English (merged into console.i18n)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

ANALYTICS: Final[Mapping[str, Mapping[str, str]]] = {
    "nav_analytics": {"fr": "Statistiques", "ar": "الإحصائيات", "en": "Analytics"},
    "analytics_title": {
        "fr": "Statistiques de l'assistant",
        "ar": "إحصائيات المساعد",
        "en": "Assistant analytics",
    },
    "analytics_period": {"fr": "Période", "ar": "الفترة", "en": "Period"},
    "analytics_last_days": {
        "fr": "{n} derniers jours",
        "ar": "آخر {n} يوما",
        "en": "Last {n} days",
    },
    "analytics_show": {"fr": "Afficher", "ar": "عرض", "en": "Show"},
    "analytics_messages": {
        "fr": "Messages des membres",
        "ar": "رسائل الأعضاء",
        "en": "Members' messages",
    },
    "analytics_by_channel": {
        "fr": "Messages par jour et par canal",
        "ar": "الرسائل حسب اليوم والقناة",
        "en": "Messages per day by channel",
    },
    "analytics_by_language": {
        "fr": "Messages par jour et par langue",
        "ar": "الرسائل حسب اليوم واللغة",
        "en": "Messages per day by language",
    },
    "analytics_total": {
        "fr": "Messages reçus",
        "ar": "الرسائل المستلمة",
        "en": "Messages received",
    },
    "analytics_read": {
        "fr": "Lus par la compréhension (hors boutons et messages traités par une personne)",
        "ar": "قرأها نظام الفهم (دون الأزرار والرسائل التي عالجها موظف)",
        "en": "Read by the NLU (buttons and messages a person handled left out)",
    },
    "analytics_share": {
        "fr": "Part des messages non compris",
        "ar": "نسبة الرسائل غير المفهومة",
        "en": "Share of messages not understood",
    },
    "analytics_not_understood": {"fr": "Non compris", "ar": "غير مفهومة", "en": "Not understood"},
    "analytics_unsure": {
        "fr": "Compris avec peu de confiance",
        "ar": "مفهومة بثقة ضعيفة",
        "en": "Understood with low confidence",
    },
    "analytics_top_intents": {
        "fr": "Intentions les plus fréquentes",
        "ar": "النوايا الأكثر تكرارا",
        "en": "Top intents",
    },
    "analytics_registrations": {
        "fr": "Inscriptions par événement",
        "ar": "التسجيلات حسب الحدث",
        "en": "Registrations per event",
    },
    "analytics_no_registrations": {
        "fr": "Aucune inscription.",
        "ar": "لا توجد تسجيلات.",
        "en": "No registrations.",
    },
    "analytics_handoffs": {
        "fr": "Demandes de conseiller",
        "ar": "طلبات التحدث إلى مستشار",
        "en": "Requests for an adviser",
    },
    "analytics_handoffs_created": {
        "fr": "Demandes reçues sur la période",
        "ar": "الطلبات المستلمة خلال الفترة",
        "en": "Requests received in the period",
    },
    "analytics_waiting": {
        "fr": "Attente avant prise en charge",
        "ar": "الانتظار قبل التكفل",
        "en": "Waiting until taken",
    },
    "analytics_answer": {
        "fr": "Délai de première réponse",
        "ar": "مدة الرد الأول",
        "en": "Time to first reply",
    },
    "analytics_not_measured": {
        "fr": "non mesuré (l'heure de prise en charge n'est pas enregistrée)",
        "ar": "غير مقاس (وقت التكفل غير مسجل)",
        "en": "not measured (the time a request is taken is not recorded)",
    },
    "analytics_no_durations": {
        "fr": "rien à mesurer : aucune demande prise en charge sur la période",
        "ar": "لا شيء للقياس: لم يتم التكفل بأي طلب خلال هذه الفترة",
        "en": "nothing to measure: no request was taken in this period",
    },
    "analytics_durations": {
        "fr": "{count} demandes : médiane {median} min, la plus longue {longest} min",
        "ar": "{count} طلبات: الوسيط {median} دقيقة، الأطول {longest} دقيقة",
        "en": "{count} requests: median {median} min, longest {longest} min",
    },
    "analytics_ratings": {
        "fr": "Notes données par les membres",
        "ar": "تقييمات الأعضاء",
        "en": "Members' ratings",
    },
    "analytics_no_ratings": {
        "fr": "non mesuré (pas de notes enregistrées)",
        "ar": "غير مقاس (لا توجد تقييمات مسجلة)",
        "en": "not measured (no ratings recorded)",
    },
    "analytics_no_store": {
        "fr": "Les conversations ne sont pas lisibles : aucun stockage SQL configuré.",
        "ar": "تعذرت قراءة المحادثات: لم يتم إعداد قاعدة بيانات SQL لها.",
        "en": "Conversations cannot be read: no SQL conversation store is configured.",
    },
    "analytics_no_messages": {
        "fr": "Aucun message sur cette période.",
        "ar": "لا توجد رسائل خلال هذه الفترة.",
        "en": "No messages in this period.",
    },
    "analytics_figures": {"fr": "Les chiffres", "ar": "الأرقام", "en": "The figures"},
    "analytics_day": {"fr": "Jour", "ar": "اليوم", "en": "Day"},
    "analytics_review": {
        "fr": "Messages non compris ou incertains",
        "ar": "رسائل غير مفهومة أو غير مؤكدة",
        "en": "Messages not understood or uncertain",
    },
    "analytics_review_intro": {
        "fr": "Regroupés et masqués (téléphones, e-mails, ICE). La commande "
        "« review-nlu » les écrit en fichier de relecture ; seules les phrases approuvées "
        "entrent dans data/.",
        "ar": "مجمعة ومقنعة (الهواتف والبريد الإلكتروني وICE). يكتبها الأمر «review-nlu» "
        "في ملف للمراجعة؛ ولا تدخل data/ إلا الجمل المعتمدة.",
        "en": "Grouped and masked (phones, e-mails, ICEs). The review-nlu command writes "
        "them to a review file; only approved sentences enter data/.",
    },
    "analytics_count": {"fr": "Nombre", "ar": "العدد", "en": "Count"},
    "analytics_message": {"fr": "Message", "ar": "الرسالة", "en": "Message"},
    "analytics_guess": {"fr": "Intention probable", "ar": "النية المرجحة", "en": "Likely intent"},
    "analytics_confidence": {"fr": "Confiance", "ar": "الثقة", "en": "Confidence"},
    "analytics_languages": {"fr": "Langues", "ar": "اللغات", "en": "Languages"},
    "analytics_reason": {"fr": "Motif", "ar": "السبب", "en": "Reason"},
    "analytics_nothing_to_review": {
        "fr": "Rien à relire sur cette période.",
        "ar": "لا شيء للمراجعة خلال هذه الفترة.",
        "en": "Nothing to review in this period.",
    },
    "analytics_status_confirmed": {"fr": "confirmées", "ar": "مؤكدة", "en": "confirmed"},
    "analytics_status_cancelled": {"fr": "annulées", "ar": "ملغاة", "en": "cancelled"},
    "lang_fr": {"fr": "français", "ar": "الفرنسية", "en": "French"},
    "lang_ar": {"fr": "arabe", "ar": "العربية", "en": "Arabic"},
    "lang_ary": {"fr": "darija", "ar": "الدارجة", "en": "Darija"},
    "lang_en": {"fr": "anglais", "ar": "الإنجليزية", "en": "English"},
    "lang_unknown": {"fr": "inconnue", "ar": "غير معروفة", "en": "unknown"},
}
