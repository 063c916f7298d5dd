"""Countries of the registry: the ISO 3166-1 alpha-2 codes a family may name, and the region buckets."""

from __future__ import annotations

__all__ = ["ISO_3166_ALPHA2", "REGIONS", "region_of"]

# The 249 officially assigned ISO 3166-1 alpha-2 codes (as shipped in tzdata's iso3166.tab). User-assigned
# codes such as XK or XX are refused: a country we cannot name is a typo, not a new country.
_ISO_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
    BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
    ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
    IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
    NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
    SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
    VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_3166_ALPHA2: frozenset[str] = frozenset(_ISO_CODES.split())

REGIONS = ("china", "us", "eu", "other")

# "eu" is the European bucket of the open-model race rather than EU membership: the 27 members, the EEA
# states (IS, LI, NO), Switzerland (Apertus) and the UK.
_EUROPE_CODES = """
    AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE
    IS LI NO
    CH GB
"""
_EUROPE = frozenset(_EUROPE_CODES.split())


def region_of(country: str) -> str:
    """The region bucket of an ISO country: CN→china, US→us, Europe→eu, everything else→other."""
    code = country.strip().upper()
    if code == "CN":
        return "china"
    if code == "US":
        return "us"
    if code in _EUROPE:
        return "eu"
    return "other"
