"""Marker lexicons of the language identifier: words that vote for one variety.

Function words, chat abbreviations and Darija markers per variety (``lexicon_votes``), plus
common content words that only seed the n-gram counts (``VOCABULARY``) and whole messages
that are a variety by themselves (``WHOLE_MESSAGE``). Words are written as users type them;
they are normalised (``nlu.normalize``) and their doubled letters squeezed on first use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from nlu.normalize import normalize_text


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
    aidez aide est-ce fin ok okay oki salon salons bientot nan negatif jamais bcp dsl pr tt
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
    than so sir ok okay oki idk nah cya cheers never u ur asap btw lol dunno wanna gonna
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
    mabghitch kaynch makaynch yallah wah activi desactivi annuli confirmi validi supprimi
    envoyi activit desactivit annulit confirmit validit supprimit
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
    معاه حيت شوية ف بيك ايوا إيوا وخا واه يالاه إيه ايه داير دايرة دايرين حيدني حيد حيدو
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

# Darija marker words that are also a place name: "safi" (enough) is the city of Safi after a
# preposition or in the region's name ("la mission de Safi", "Marrakech-Safi").
PLACE_HOMONYMS: dict[str, frozenset[str]] = {
    "safi": frozenset(
        _words("marrakech marrakesh de du a vers pour sur to in from for of at near")
    ),
}


def without_place_homonyms(words: list[str]) -> list[str]:
    """Latin words without the Darija homonyms of a place name where they name the place."""
    return [
        word
        for i, word in enumerate(words)
        if not (i and words[i - 1] in PLACE_HOMONYMS.get(word, ()))
    ]


_DOUBLE_RE = re.compile(r"([^\W\d_])\1+")
# Darija negation circumfix ma...ch (ماعنديش، ماكاينش، مابغيتش) and "f" glued to the article
# (فالبعثة where MSA writes في البعثة).
_DARIJA_NEGATION_RE = re.compile("^\u0645\u0627\\w{2,}\u0634$")
_DARIJA_FAL_RE = re.compile("^\u0641\u0627\u0644\\w{2,}$")
# Darija present tense: ka- prefix before the person prefix (كنرفض، كيعرف، كتبغي), not كيف...
# (how), كتاب/كتب (book), كنت (I was), كينيا (Kenya) or كنشاسا (Kinshasa).
_DARIJA_PRESENT_RE = re.compile("^\u0643[\u0646\u064a\u062a]\\w{3,}$")
_NOT_DARIJA_PRESENT = (
    "\u0643\u064a\u0641",
    "\u0643\u062a\u0627\u0628",
    "\u0643\u062a\u0628",
    "\u0643\u0646\u062a",
    "\u0643\u064a\u0646\u064a",
    "\u0643\u0646\u0634\u0627\u0633",
)
# Arabizi negation (makaynch, mabghitch, mafhmtch) and present-tense prefixes (kanexporti,
# kaybghi, katnsa7ouni).
_ARABIZI_NEGATION_RE = re.compile("^ma[a-z0-9]{2,}(?:ch|sh)$")
_ARABIZI_PRESENT_RE = re.compile("^(?:kay|kat|kan|kant|kanb|kang)[a-z0-9]{3,}$")


def squeeze(word: str) -> str:
    """Collapse doubled letters, for lexicon look-ups ("bzzaf" -> "bzaf", "mzyaan" -> "mzyan")."""
    return _DOUBLE_RE.sub(r"\1", word)


@functools.cache
def lexicons(script: str) -> dict[str, frozenset[str]]:
    """Normalised, squeezed marker lexicons of a script's classes (built on first use)."""

    def prepare(words: Iterable[str]) -> frozenset[str]:
        normalized = [normalize_text(w) for w in words]
        return frozenset(normalized) | frozenset(squeeze(w) for w in normalized)

    if script == "arab":
        return {"ar": prepare(MSA), "ary": prepare(DARIJA_ARABIC)}
    return {"fr": prepare(FRENCH), "en": prepare(ENGLISH), "ary": prepare(DARIJA_LATIN)}


@functools.cache
def common_latin_words() -> frozenset[str]:
    """French, English and Arabizi marker and vocabulary words (normalised), at least two letters
    long: one of them inside an Arabic-script message is code-switching ("بغيت les alertes"),
    unlike an acronym or a brand ("ASMEX", "EUR.1", "Atlas Fruits")."""
    words = set().union(*lexicons("latin").values())
    for key in ("fr", "en", "ary"):
        words.update(normalize_text(w) for w in VOCABULARY[key])
    return frozenset(w for w in words if len(w) >= 2)


def lexicon_votes(word: str, script: str) -> dict[str, float]:
    """Marker-lexicon membership of one normalised word, as 0/1 per class (0.5 for patterns).

    Doubled letters are squeezed only for words long enough not to become another word
    ("mzyaan" -> "mzyan", but "souss" is not French "sous").
    """
    key = squeeze(word)
    if len(key) < 5:
        key = word
    votes = {cls: float(key in words) for cls, words in lexicons(script).items()}
    if script == "arab" and not votes["ary"]:
        if _DARIJA_NEGATION_RE.match(word):
            votes["ary"] = 1.0
        elif _DARIJA_FAL_RE.match(word) or (
            _DARIJA_PRESENT_RE.match(word) and not word.startswith(_NOT_DARIJA_PRESENT)
        ):
            votes["ary"] = 0.5
    elif script == "latin" and not votes["ary"]:
        if _ARABIZI_NEGATION_RE.match(word) or (
            word.endswith(("ch", "sh")) and word[:-2] in lexicons(script)["ary"]
        ):
            votes["ary"] = 1.0
        elif _ARABIZI_PRESENT_RE.match(word):
            votes["ary"] = 0.5
    return votes
