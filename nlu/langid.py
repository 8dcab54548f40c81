"""Language identification for short chat messages: French, Arabic (MSA), Darija, English.

Script first, then a per-word vote inside the script:
- Arabic script: ``ar`` (Modern Standard Arabic) or ``ary`` (Darija);
- Latin script: ``fr``, ``en`` or ``ary`` (Arabizi: Darija in Latin letters, digits for letters).

Each word votes with bounded strength, so one long French loan word cannot outvote the Darija
function words around it. A word's vote adds up three kinds of evidence:
a character 1-4-gram naive Bayes model and a word naive Bayes model, both trained on labelled
examples, and hand-written marker lexicons (function words, chat abbreviations, Arabizi digits).
The lexicons alone already give a usable model, which the training data then sharpens.

A hint (the user's Telegram language, or the previous turn's variety) only breaks near-ties on
very short messages. The model is plain dictionaries: it persists as JSON.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlu.normalize import arabizi_words, count_letters, normalize_text

VARIETIES: tuple[str, ...] = ("fr", "ar", "ary", "en")
ARABIC_CLASSES: tuple[str, ...] = ("ar", "ary")
LATIN_CLASSES: tuple[str, ...] = ("fr", "en", "ary")

# Training-data labels (block metadata ``variety``) -> detected variety.
LABEL_TO_VARIETY: dict[str, str] = {
    "fr": "fr",
    "ar": "ar",
    "ary": "ary",
    "ary_ar": "ary",
    "ary_lat": "ary",
    "en": "en",
}

FORMAT_VERSION = 1


def _words(block: str) -> tuple[str, ...]:
    """The whitespace-separated words of a block of text."""
    return tuple(block.split())


FRENCH: tuple[str, ...] = _words(
    """
    je j tu il elle on nous vous ils elles le la les un une des du de d au aux et est sont suis
    es etes sommes ai as avez avons ont pour avec dans sur sous par pas ne n qu que qui quoi
    quel quelle quels quelles comment combien pourquoi pk pq quand ou mais donc car ce c cet
    cette ces ca mon ma mes ton ta tes son sa ses notre votre vos nos leur leurs y en me m te se
    lui moi toi bonjour bjr bonsoir bsr salut slt coucou cc merci mrc mci svp stp plait sil oui
    ouais non voudrais voudrait veux veut voulons voulez peux peut pouvez pouvons puis faire
    fais aller vais allez avoir etre aujourd hui demain hier tres bien aussi encore deja
    prochain prochaine prochains prochaines annee mois semaine quelques chose tout tous toute
    toutes besoin beaucoup bonne journee soiree revoir desole daccord dac dacc cv jsp voila
    aidez aide est-ce fin ok okay oki salon salons
    """
)

ENGLISH: tuple[str, ...] = _words(
    """
    i me my mine you your yours he she it its we our us they them their the an is are am was
    were be been do does did don doesn have has had to of for with in on at by from about this
    that these those what when where which who whom whose how why can could would will should
    may might must want wanted need needs please pls plz thanks thank thx ty hi hello hey yes
    yeah yep yup no nope not there here any some all next year month week upcoming register
    registration sign show fair trade details good morning evening afternoon bye goodbye see
    later tell know list get give send much many also just only more very and or but if then
    than so sir ok okay oki
    """
)

DARIJA_LATIN: tuple[str, ...] = _words(
    """
    wach wash wesh wech bghit bghina bgha bghat bghiti nbghi kanbghi bghitek dyal dial dyali
    diali dyalk dyalek dialk dialek dyalna dialna dyalkom dialkom dyalhom dialhom dyalo dialo
    dyalha dialha kayn kayna kaynin kain kaina kayen kayne makaynch makaynsh makainch chi shi
    chno chnou chnu shno achno ashno chnowa achnou fayn fein feen fin mnin imta emta bzaf bezaf
    bzef bzf mzyan mzian mziana mzyana mezyan mziane mzn mezian kifach kifash kifch kif alach
    lach ghadi ghad ghan ghadin machi mashi mchi mchit had hadi hada hado hadok hadik hadchi
    hadshi dakchi dakshi dak dik chhal shhal bchhal safi afak afakom ykhlik nta nti ntoma ntuma
    hna homa huma howa hiya liya lia lik lina likom lih dima mazal baqi baki fach fash kidayr
    kidayra kidayrin dayr dayra bslama beslama chkoun chkon shkoun chkun walo walou wla wlla
    kont konti kan nqder nkder tqder tkder khasni khassni khsni khask khass bhal andi 3andi
    andkom naaref nchouf chouf chof shouf wahed wahd ma3a ila ewa iwa yak rah rani rak rakom
    rahom raha bach bash bax ghir hta htta lli li nmchi nmshi dir dirli diri atini jib jibli sir
    ach ash ana ndir nsowel nswl nsewel swal flous flouss flus kolchi koulchi kulchi chwiya
    chwia chouia m3a m3ak m3aya daba dba ntsjl ntsajal ntsejel nsjl nsejel tsjil tasjil nsajel
    tsajalt salam slm slam salamo alaykom alikoum choukran chokran shukran shokran chukran
    chkran choukrane baraka labas lbas bikhir bkhir mrhba marhba merhba wakha wkha waxa iyeh
    iyah inchallah nchallah inshallah hamdullah hamdoulah hamdolilah lhamdulillah tbarkallah
    khoya khouya khti sahbi fl fel f w o la ma ta ou d n ok okay oki salon salons bghitch
    mabghitch kaynch makaynch yallah wah
    """
)

MSA: tuple[str, ...] = _words(
    """
    هل ماذا لماذا كيف أين متى أريد نريد أود نود أرغب يمكنني يمكن يمكنكم أستطيع هذا هذه ذلك تلك
    الذي التي الذين ليس لست لدي لديكم لدينا سوف قد إلى عن حول بخصوص فضلك جزيلا أهلا نعم كلا حسنا
    جيد أيضا فقط جدا كم هناك يوجد توجد أحتاج مساعدة ماهي القادم المقبل القادمة المقبلة بكم لكم
    منكم وداعا اللقاء صباح مساء حالك أرجو سمحت في الخير أنتم أنت الآن اليوم إذا شكرا عليكم
    """
)

DARIJA_ARABIC: tuple[str, ...] = _words(
    """
    بغيت بغينا بغا بغات بغيتي كنبغي نبغي ديال ديالي ديالك ديالو ديالها ديالنا ديالكم ديالهم واش
    كاين كاينة كاينين كاينا ماكاينش شنو شنوا اشنو آش اشمن فين فاين منين فوقاش امتى وقتاش دابا
    بزاف مزيان مزيانة كيفاش علاش علاه غادي غاديين غاد ماشي هاد هادي هادا هادو هادوك هاديك هادشي
    داكشي شي شحال بشحال واخا صافي عافاك عفاك يخليك خويا ختي نتا نتي نتوما حنا هوما ليا لينا ليكم
    ديما مازال باقي فاش كيداير كيدايرة كيدايرين لاباس بسلامة تبارك شكون والو خاصني خاصك خصني خصك
    بحال نقدر تقدر كنقدر نعرف كنعرف شوف عطيني جيب سير راه راني راك راكم راهم ياك زعما دغيا بلاصة
    مشيت جيت غانمشي نمشي نشوف نسول نتسجل نسجل نتقيد نقيد تسجلت دير ديرلي كتعرف كيعرف معايا معاك
    معاه حيت شوية ف بيك ايوا إيوا وخا واه يالاه
    """
)

# Common content words, added to the n-gram counts only (they cast no lexicon vote), so one-word
# messages outside the training data still have character evidence.
VOCABULARY: dict[str, tuple[str, ...]] = {
    "fr": _words(
        """
        annuler annulation inscription desinscription alertes alerte genial parfait super
        informations renseignements entreprise societe exportateur exportation marche marches
        pays foire salons evenement evenements prochainement conseiller adresse telephone
        courriel donnees supprimer frais paiement virement accord accords libre echange
        certificat origine financement adhesion cotisation bureau regional delegue secteur
        textile agroalimentaire automobile peche industrie merci rien voir aussi date lieu quand
        combien prix gratuit inscrivez veuillez souhaite souhaiterais cherche besoin
        """
    ),
    "en": _words(
        """
        cancel cancellation unsubscribe subscribe alerts alert great nice perfect awesome cool
        information company exporter export market markets country countries trade show shows
        fair fairs event events soon advisor address phone email data delete fees payment
        transfer agreement agreements free certificate origin funding financing membership
        office regional delegate sector textiles food automotive fishing industry nothing date
        place price cost looking need would like please thanks okay sure right
        """
    ),
    "ary": _words(
        """
        bghit bghina n3ref nchouf l7aja lhaja lkhdma khdma flous tman taman sou9 souq lbla lblad
        bladi nsjl ntsjl tsjil nlghi nalghi ndir dir 3tini atini jibli sift siftli chofli chouf
        m3ak m3aya m3ah lyoum lyum ghda lbare7 simana chhar l3am 3am jay jaya jayin sa7bi khoya
        khti lkhawa nass nas bnadem mzyana zwin zwina wa3r khayb hadik hadchi dakchi kolchi walo
        bzaf chwiya 3lach fin imta chkoun achno wach kayn
        """
    ),
    "ar": _words(
        """
        إلغاء التسجيل الاشتراك التنبيهات ممتاز رائع معلومات الشركة المصدر التصدير السوق الأسواق
        البلد المعرض المعارض الفعاليات قريبا المستشار العنوان الهاتف البريد البيانات حذف الرسوم
        الدفع التحويل اتفاقية الاتفاقيات شهادة المنشأ التمويل الانخراط المكتب الجهوي المندوب
        القطاع النسيج الصناعات الغذائية السيارات الصيد الصناعة التاريخ المكان السعر مجاني أبحث
        أحتاج أرغب أود يرجى المزيد أخبرني الجديد
        """
    ),
    "ary_ar": _words(
        """
        بغيت نعرف نشوف الحاجة الخدمة الفلوس الثمن السوق البلاد نسجل نتسجل نلغي ندير دير عطيني
        جيبلي صيفط صيفطلي شوف معاك معايا معاه اليوم غدا البارح السيمانة الشهر العام الجاي الجاية
        صاحبي خويا ختي الناس مزيانة زوين زوينة واعر خايب هاديك هادشي داكشي كلشي والو بزاف شوية
        علاش فين إمتى شكون اشنو واش كاين مافهمتش
        """
    ),
}

# Whole messages that are a variety by themselves (normalised, doubled letters squeezed).
WHOLE_MESSAGE: dict[str, str] = {
    "la": "ary",
    "lala": "ary",
    "la la": "ary",
    "iyeh": "ary",
    "non": "fr",
    "no": "en",
}

_ARABIC_WORD_RE = re.compile(
    "[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06fc\ufb50-\ufdff\ufe70-\ufefc]+"
)
# Lookbehinds: a match starts only where a run starts (same matches; a long run without a
# letter, or without "@", is scanned once instead of once per character).
_LATIN_WORD_RE = re.compile(
    "(?<![a-z0-9\u00c0-\u024f])[a-z0-9\u00c0-\u024f]*[a-z\u00c0-\u024f][a-z0-9\u00c0-\u024f]*"
)
_DOUBLE_RE = re.compile(r"([^\W\d_])\1+")
# E-mail addresses and links are in no language: dropped before detection.
_NEUTRAL_RE = re.compile(r"(?<!\S)\S+@\S+|(?:https?://|www\.)\S+")
# Darija negation circumfix ma...ch (ماعنديش، ماكاينش، مابغيتش) and "f" glued to the article
# (فالبعثة where MSA writes في البعثة).
_DARIJA_NEGATION_RE = re.compile("^\u0645\u0627\\w{2,}\u0634$")
_DARIJA_FAL_RE = re.compile("^\u0641\u0627\u0644\\w{2,}$")
# Arabizi negation (makaynch, mabghitch, mafhmtch) and present-tense prefixes (kanexporti,
# kaybghi, katnsa7ouni).
_ARABIZI_NEGATION_RE = re.compile("^ma[a-z0-9]{2,}(?:ch|sh)$")
_ARABIZI_PRESENT_RE = re.compile("^(?:kay|kat|kan|kant|kanb|kang)[a-z0-9]{3,}$")


@dataclass(frozen=True)
class LangIdConfig:
    """Weights of the evidence; the defaults are tuned for one- to twenty-word messages."""

    max_n: int = 4  # longest character n-gram
    char_alpha: float = 0.1  # additive smoothing of character n-gram counts
    word_alpha: float = 0.1  # additive smoothing of word counts
    char_weight: float = 3.0  # multiplies a word's mean character log-likelihood
    word_weight: float = 0.5  # multiplies a known word's log-likelihood
    lexicon_weight: float = 3.0  # vote of a fr/en/ar marker word
    darija_lexicon_weight: float = 4.5  # vote of a Darija-only marker word: Darija writers mix
    # in French and MSA words, French and MSA writers never write "dyal", "kayn" or "ديال"
    arabizi_weight: float = 5.0  # vote for ary when digits stand for letters (l3am, 7na)
    darija_cooccurrence_bonus: float = 3.0  # for each Darija marker word after the first:
    # two Darija markers in one message are decisive, whatever French or MSA surrounds them
    max_learned_vote: float = 1.5  # bound on the trained (n-gram and word) part of a vote
    max_word_vote: float = 6.0  # bound on how much one word can separate two varieties
    lexicon_pseudo_count: int = 2  # times each marker word is added to the training counts
    hint_max_words: int = 3  # a hint is only used on messages this short...
    hint_margin: float = 1.6  # ...and when the winner leads the hinted variety by less


@dataclass(frozen=True)
class LangIdResult:
    """A detected variety; ``variety`` is None when the text has no letters."""

    variety: str | None
    script: str  # "arab", "latin" or "none"
    confidence: float


def squeeze(word: str) -> str:
    """Collapse doubled letters, for lexicon look-ups ("bzzaf" -> "bzaf", "mzyaan" -> "mzyan")."""
    return _DOUBLE_RE.sub(r"\1", word)


def variety_from_label(label: Any) -> str | None:
    """Map a training label (fr, ar, ary_ar, ary_lat, en) to a variety, or None."""
    if not isinstance(label, str):
        return None
    return LABEL_TO_VARIETY.get(label.strip().lower())


def hint_variety(hint: Any, script: str) -> str | None:
    """Turn a language hint ("fr", "en-US", "ar", "ary") into a variety plausible in ``script``.

    A user whose Telegram is in Arabic and who types Latin letters writes Arabizi, so "ar"
    means ``ary`` there; a French or English hint says nothing about Arabic-script text.
    """
    if not isinstance(hint, str) or not hint.strip():
        return None
    code = re.split("[-_]", hint.strip().lower(), maxsplit=1)[0]
    if code == "ary":
        return "ary"
    if script == "latin":
        return {"fr": "fr", "en": "en", "ar": "ary"}.get(code)
    if script == "arab":
        return {"ar": "ar"}.get(code)
    return {"fr": "fr", "en": "en", "ar": "ar"}.get(code)


def arabic_words(normalized: str) -> list[str]:
    """Arabic-script words of normalised text."""
    return _ARABIC_WORD_RE.findall(normalized)


def latin_words(normalized: str) -> list[str]:
    """Latin-script words (with Arabizi digits) of normalised text; pure numbers are dropped."""
    return _LATIN_WORD_RE.findall(normalized)


def char_ngrams(word: str, max_n: int) -> list[str]:
    """Character 1..max_n-grams of the word padded with spaces (single spaces excluded)."""
    padded = f" {word} "
    grams = []
    for n in range(1, max_n + 1):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            if gram != " ":
                grams.append(gram)
    return grams


@functools.cache
def _lexicons(script: str) -> dict[str, frozenset[str]]:
    """Normalised, squeezed marker lexicons of a script's classes (built on first use)."""

    def prepare(words: Iterable[str]) -> frozenset[str]:
        normalized = [normalize_text(w) for w in words]
        return frozenset(normalized) | frozenset(squeeze(w) for w in normalized)

    if script == "arab":
        return {"ar": prepare(MSA), "ary": prepare(DARIJA_ARABIC)}
    return {"fr": prepare(FRENCH), "en": prepare(ENGLISH), "ary": prepare(DARIJA_LATIN)}


def lexicon_votes(word: str, script: str) -> dict[str, float]:
    """Marker-lexicon membership of one normalised word, as 0/1 per class (0.5 for patterns).

    Doubled letters are squeezed only for words long enough not to become another word
    ("mzyaan" -> "mzyan", but "souss" is not French "sous").
    """
    key = squeeze(word)
    if len(key) < 5:
        key = word
    votes = {cls: float(key in words) for cls, words in _lexicons(script).items()}
    if script == "arab" and not votes["ary"]:
        if _DARIJA_NEGATION_RE.match(word):
            votes["ary"] = 1.0
        elif _DARIJA_FAL_RE.match(word):
            votes["ary"] = 0.5
    elif script == "latin" and not votes["ary"]:
        if _ARABIZI_NEGATION_RE.match(word) or (
            word.endswith(("ch", "sh")) and word[:-2] in _lexicons(script)["ary"]
        ):
            votes["ary"] = 1.0
        elif _ARABIZI_PRESENT_RE.match(word):
            votes["ary"] = 0.5
    return votes


class _ScriptModel:
    """Naive Bayes counts of character n-grams and words for the classes of one script."""

    def __init__(self, script: str, classes: Sequence[str], config: LangIdConfig) -> None:
        self.script = script
        self.classes = tuple(classes)
        self.config = config
        self.char_counts: dict[str, Counter[str]] = {c: Counter() for c in self.classes}
        self.word_counts: dict[str, Counter[str]] = {c: Counter() for c in self.classes}
        self._char_table: dict[str, tuple[float, ...]] = {}
        self._char_unseen: tuple[float, ...] = ()
        self._word_table: dict[str, tuple[float, ...]] = {}

    def add(self, words: Iterable[str], cls: str, count: int = 1) -> None:
        """Add the words of one example of class ``cls``."""
        for word in words:
            self.word_counts[cls][word] += count
            for gram in char_ngrams(word, self.config.max_n):
                self.char_counts[cls][gram] += count

    def compile(self) -> None:
        """Turn counts into log-probability tables (called after training and loading)."""
        self._char_table, self._char_unseen = self._log_table(
            self.char_counts, self.config.char_alpha
        )
        self._word_table, _ = self._log_table(self.word_counts, self.config.word_alpha)

    def _log_table(
        self, counts: Mapping[str, Counter[str]], alpha: float
    ) -> tuple[dict[str, tuple[float, ...]], tuple[float, ...]]:
        vocabulary = set().union(*(counts[c].keys() for c in self.classes))
        size = max(len(vocabulary), 1)
        denominators = [sum(counts[c].values()) + alpha * size for c in self.classes]
        table = {
            item: tuple(
                math.log((counts[c].get(item, 0) + alpha) / d)
                for c, d in zip(self.classes, denominators, strict=True)
            )
            for item in vocabulary
        }
        unseen = tuple(math.log(alpha / d) for d in denominators)
        return table, unseen

    def word_vote(self, word: str) -> list[float]:
        """Evidence of one word for each class, centred on the best and bounded below."""
        cfg = self.config
        k = len(self.classes)
        grams = char_ngrams(word, cfg.max_n)
        sums = [0.0] * k
        for gram in grams:
            row = self._char_table.get(gram, self._char_unseen)
            for i in range(k):
                sums[i] += row[i]
        scores = [cfg.char_weight * s / max(len(grams), 1) for s in sums]
        word_row = self._word_table.get(word)
        if word_row is not None:
            scores = [s + cfg.word_weight * w for s, w in zip(scores, word_row, strict=True)]
        learned_best = max(scores)
        scores = [max(s - learned_best, -cfg.max_learned_vote) for s in scores]
        lex = lexicon_votes(word, self.script)
        shared = sum(1 for v in lex.values() if v) > 1
        scores = [
            s
            + lex.get(c, 0.0)
            * (cfg.darija_lexicon_weight if c == "ary" and not shared else cfg.lexicon_weight)
            for s, c in zip(scores, self.classes, strict=True)
        ]
        if self.script == "latin" and arabizi_words(word):
            scores = [
                s + (cfg.arabizi_weight if c == "ary" else 0.0)
                for s, c in zip(scores, self.classes, strict=True)
            ]
        best = max(scores)
        return [max(s - best, -cfg.max_word_vote) for s in scores]

    def logits(self, words: Sequence[str]) -> list[float]:
        """Summed word votes of a message, plus the Darija co-occurrence bonus."""
        totals = [0.0] * len(self.classes)
        for word in words:
            for i, vote in enumerate(self.word_vote(word)):
                totals[i] += vote
        markers = sum(1 for word in words if self.is_darija_marker(word))
        if markers > 1:
            ary = self.classes.index("ary")
            totals[ary] += self.config.darija_cooccurrence_bonus * (markers - 1)
        return totals

    def is_darija_marker(self, word: str) -> bool:
        """True for a Darija-only marker word or an Arabizi word."""
        votes = lexicon_votes(word, self.script)
        if votes["ary"] and not any(v for c, v in votes.items() if c != "ary"):
            return True
        return self.script == "latin" and bool(arabizi_words(word))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return {
            "classes": list(self.classes),
            "char_counts": {c: dict(v) for c, v in self.char_counts.items()},
            "word_counts": {c: dict(v) for c, v in self.word_counts.items()},
        }

    @classmethod
    def from_dict(cls, script: str, data: Mapping[str, Any], config: LangIdConfig) -> _ScriptModel:
        """Rebuild from ``to_dict`` output."""
        model = cls(script, data["classes"], config)
        for c in model.classes:
            model.char_counts[c].update(data["char_counts"].get(c, {}))
            model.word_counts[c].update(data["word_counts"].get(c, {}))
        model.compile()
        return model


def _softmax(logits: Sequence[float]) -> list[float]:
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


class LanguageIdModel:
    """Detects fr / ar / ary / en; usable untrained (lexicons only), better once fitted."""

    def __init__(self, config: LangIdConfig | None = None) -> None:
        self.config = config or LangIdConfig()
        self._models: dict[str, _ScriptModel] = {}
        self._reset()

    def _reset(self) -> None:
        self._models = {
            "arab": _ScriptModel("arab", ARABIC_CLASSES, self.config),
            "latin": _ScriptModel("latin", LATIN_CLASSES, self.config),
        }
        for script, model in self._models.items():
            for cls, words in _lexicons(script).items():
                model.add(words, cls, self.config.lexicon_pseudo_count)
        for key, vocabulary in VOCABULARY.items():
            cls = "ary" if key == "ary_ar" else key
            script = "arab" if key in ("ar", "ary_ar") else "latin"
            self._models[script].add(
                [normalize_text(w) for w in vocabulary], cls, self.config.lexicon_pseudo_count
            )
        for model in self._models.values():
            model.compile()

    def fit(self, examples: Iterable[tuple[str, str]]) -> LanguageIdModel:
        """Train on (text, variety) pairs; varieties outside fr/ar/ary/en are skipped.

        Arabic-script words train the Arabic model only for ar/ary examples, Latin words the
        Latin model only for fr/en/ary examples (a country name in Latin letters inside an
        Arabic sentence says nothing about French).
        """
        self._reset()
        for text, variety in examples:
            if variety not in VARIETIES or not text:
                continue
            normalized = normalize_text(text)
            if variety in ARABIC_CLASSES:
                self._models["arab"].add(arabic_words(normalized), variety)
            if variety in LATIN_CLASSES:
                self._models["latin"].add(latin_words(normalized), variety)
        for model in self._models.values():
            model.compile()
        return self

    def _script_logits(
        self, script: str, words: Sequence[str]
    ) -> tuple[tuple[str, ...], list[float]]:
        model = self._models[script]
        logits = model.logits(words)
        if script == "latin":
            joined = squeeze(" ".join(words))
            forced = WHOLE_MESSAGE.get(joined)
            if forced in model.classes:
                idx = model.classes.index(forced)
                logits[idx] += self.config.max_word_vote
        return model.classes, logits

    def _decide(
        self,
        classes: Sequence[str],
        logits: Sequence[float],
        n_words: int,
        hint: str | None,
    ) -> tuple[str, float]:
        probs = _softmax(logits)
        best = max(range(len(classes)), key=lambda i: (logits[i], -i))
        if (
            hint in classes
            and n_words <= self.config.hint_max_words
            and logits[best] - logits[classes.index(hint)] < self.config.hint_margin
        ):
            best = classes.index(hint)
        return classes[best], probs[best]

    def predict(self, text: str | None, hint: str | None = None) -> LangIdResult:
        """Detect the variety of a message.

        Args:
            text: the user's message, raw.
            hint: a language code ("fr", "ar", "en", "ary", "fr-FR"...) used only to break
                near-ties on messages of at most ``hint_max_words`` words.

        Returns:
            The variety (None when the text has no letters: emoji, digits, empty), the
            dominant script and the probability of the chosen variety.
        """
        normalized = _NEUTRAL_RE.sub(" ", normalize_text(text or ""))
        arabic, latin = count_letters(normalized)
        if arabic == 0 and latin == 0:
            return LangIdResult(None, "none", 0.0)
        script = "arab" if arabic >= latin else "latin"
        words = arabic_words(normalized) if script == "arab" else latin_words(normalized)
        classes, logits = self._script_logits(script, words)
        variety, confidence = self._decide(classes, logits, len(words), hint_variety(hint, script))
        minority = latin_words(normalized) if script == "arab" else arabic_words(normalized)
        if variety != "ary" and len(minority) >= 2:
            other = "latin" if script == "arab" else "arab"
            other_classes, other_logits = self._script_logits(other, minority)
            other_variety, other_confidence = self._decide(
                other_classes, other_logits, len(minority), None
            )
            if other_variety == "ary" and other_confidence >= 0.9:
                variety, confidence = "ary", other_confidence
        return LangIdResult(variety, script, round(confidence, 4))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready model (counts and configuration)."""
        return {
            "version": FORMAT_VERSION,
            "config": dict(self.config.__dict__),
            "models": {s: m.to_dict() for s, m in self._models.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LanguageIdModel:
        """Rebuild a model saved with ``to_dict``."""
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"unsupported language-id model version {data.get('version')!r}")
        model = cls(LangIdConfig(**data["config"]))
        model._models = {
            s: _ScriptModel.from_dict(s, m, model.config) for s, m in data["models"].items()
        }
        return model


def load_examples(data: Any) -> list[tuple[str, str]]:
    """(text, variety) pairs from parsed Rasa YAML NLU data in the contracts format.

    Blocks without a ``metadata: {variety: ...}`` are skipped; entity annotations
    ``[text]{...}`` / ``[text](entity)`` are reduced to their text.
    """
    pairs: list[tuple[str, str]] = []
    for block in (data or {}).get("nlu", []) or []:
        if not isinstance(block, dict):
            continue
        variety = variety_from_label((block.get("metadata") or {}).get("variety"))
        examples = block.get("examples")
        if variety is None or not isinstance(examples, str):
            continue
        for line in examples.splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((strip_annotations(line[2:].strip()), variety))
    return pairs


_ANNOTATION_RE = re.compile(r"\[([^\]]*)\](?:\{[^}]*\}|\([^)]*\))")


def strip_annotations(example: str) -> str:
    """Reduce Rasa entity annotations to their surface text."""
    return _ANNOTATION_RE.sub(r"\1", example)
