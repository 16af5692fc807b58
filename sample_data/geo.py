"""Real counties of the four states (with a real town, area code and ZIP prefix) and the parts
that fictional hospital names are made of."""

from __future__ import annotations

STATE_CODES = {"MO": "26", "KS": "17", "NE": "28", "IL": "14"}

# state -> [(county, town, area code, ZIP prefix, region, rural?)]
COUNTIES = {
    "MO": [
        ("Jackson", "Kansas City", "816", "641", "Kansas City", False),
        ("St. Louis", "Chesterfield", "314", "630", "St. Louis", False),
        ("Greene", "Springfield", "417", "658", "Southwest", False),
        ("Boone", "Columbia", "573", "652", "Central", False),
        ("Cole", "Jefferson City", "573", "651", "Central", False),
        ("Jasper", "Joplin", "417", "648", "Southwest", False),
        ("Buchanan", "St. Joseph", "816", "645", "Kansas City", False),
        ("Cape Girardeau", "Cape Girardeau", "573", "637", "Southeast", False),
        ("Phelps", "Rolla", "573", "654", "Central", True),
        ("Adair", "Kirksville", "660", "635", "Northeast", True),
        ("Butler", "Poplar Bluff", "573", "639", "Southeast", True),
        ("Howell", "West Plains", "417", "657", "Southwest", True),
        ("Pettis", "Sedalia", "660", "653", "Central", True),
        ("Macon", "Macon", "660", "635", "Northeast", True),
        ("Nodaway", "Maryville", "660", "644", "Kansas City", True),
    ],
    "KS": [
        ("Sedgwick", "Wichita", "316", "672", "South Central", False),
        ("Johnson", "Olathe", "913", "660", "Northeast", False),
        ("Shawnee", "Topeka", "785", "666", "Northeast", False),
        ("Douglas", "Lawrence", "785", "660", "Northeast", False),
        ("Riley", "Manhattan", "785", "665", "Northeast", True),
        ("Finney", "Garden City", "620", "678", "Western", True),
        ("Ford", "Dodge City", "620", "678", "Western", True),
        ("Saline", "Salina", "785", "674", "South Central", True),
        ("Barton", "Great Bend", "620", "675", "South Central", True),
        ("Thomas", "Colby", "785", "677", "Western", True),
    ],
    "NE": [
        ("Douglas", "Omaha", "402", "681", "Eastern", False),
        ("Lancaster", "Lincoln", "402", "685", "Eastern", False),
        ("Hall", "Grand Island", "308", "688", "Central", True),
        ("Buffalo", "Kearney", "308", "688", "Central", True),
        ("Scotts Bluff", "Scottsbluff", "308", "693", "Panhandle", True),
        ("Custer", "Broken Bow", "308", "688", "Central", True),
        ("Gage", "Beatrice", "402", "683", "Eastern", True),
    ],
    "IL": [
        ("Cook", "Chicago", "312", "606", "Chicagoland", False),
        ("Champaign", "Urbana", "217", "618", "Central", False),
        ("Peoria", "Peoria", "309", "616", "Central", False),
        ("Sangamon", "Springfield", "217", "627", "Central", False),
        ("Winnebago", "Rockford", "815", "611", "Chicagoland", False),
        ("McLean", "Bloomington", "309", "617", "Central", False),
        ("Jackson", "Carbondale", "618", "629", "Southern", True),
        ("Williamson", "Marion", "618", "629", "Southern", True),
        ("Effingham", "Effingham", "217", "624", "Southern", True),
    ],
}

# Demo-tier hospital mix per state and type; larger tiers scale it (same type mix).
# MO acute includes the one corrupted row (five-character CCN, not a member).
DEMO_MIX = {
    "MO": {"acute": 9, "cah": 3, "childrens": 1, "psych": 1},
    "KS": {"acute": 4, "cah": 3},
    "NE": {"acute": 3, "cah": 2},
    "IL": {"acute": 4, "cah": 1},
}

HOSPITAL_TYPES = {
    "acute": "Acute Care Hospitals",
    "cah": "Critical Access Hospitals",
    "childrens": "Childrens",
    "psych": "Psychiatric",
}
CCN_RANGES = {
    "acute": (1, 879),
    "cah": (1300, 1399),
    "childrens": (3300, 3399),
    "psych": (4000, 4499),
}

NAME_PREFIXES = """Prairie View|Cedar Ridge|Riverbend|Bluestem|Oak Hollow|Meadowlark|Stone Creek|
Willow Bend|Sandhill|Golden Plains|Maple Grove|Clearwater|Elm Valley|Red Oak|Silver Lake|
Timber Ridge|Twin Rivers|Bison Ridge|Walnut Creek|Sycamore|Bluff Springs|Hawthorn|
Sunflower|Big Sky|Indian Grass|Mill Creek|Cottonwood|Limestone|Osage Bend|Pioneer|Wheatland|
Spring Valley|Lakeside|Hickory Hills|Crossroads|Northfield|Eastbrook|Westgate|Southridge|
Bridgeview|Harvest|Fairhaven|Summit Ridge|Blue Heron|Kestrel|Foxglove|Ironwood|Pine Ridge|
Quail Run|Redbud|Ash Grove|Coneflower|Little River|Grand Prairie|High Plains|Canyon Creek|
Brookside|Glenwood|Whitewater|Bent Tree|Three Forks|Copper Hill|Aspen Grove|Dogwood|
Fox River|Chestnut Hill|Longview|Meadowbrook|Orchard Park|Rolling Hills|Rosewood|Shady Oaks|
Stillwater|Tall Grass|Wildflower|Wolf Creek|Buckeye|Bur Oak|Cardinal|Evergreen|Falcon Ridge|
Granite Falls|Harbor View|Juniper|Laurel Hill|Magnolia|Mulberry|New Hope|Old Mill|Parkview"""

NAME_SUFFIXES = {
    "acute": [
        ("Medical Center", "mc"),
        ("Regional Medical Center", "rmc"),
        ("Regional Hospital", "regional"),
        ("Memorial Hospital", "memorial"),
        ("General Hospital", "general"),
        ("Hospital", "hospital"),
    ],
    "cah": [
        ("Community Hospital", "community"),
        ("Area Hospital", "areahospital"),
        ("District Hospital", "district"),
        ("Health Center", "health"),
    ],
    "childrens": [("Children's Hospital", "childrens"), ("Children's Medical Center", "kids")],
    "psych": [("Behavioral Health Center", "bhc"), ("Psychiatric Hospital", "psych")],
}

STREETS = [
    "N Main St",
    "Hospital Dr",
    "E Broadway",
    "W 4th St",
    "Medical Pkwy",
    "S Elm St",
    "Health Center Dr",
    "College Ave",
    "Highway 63 N",
    "Memorial Dr",
    "Park Ave",
    "W Walnut St",
    "Clinic Rd",
    "E 12th St",
    "Lakeview Rd",
]

OWNERSHIP = {
    "acute": [
        "Voluntary non-profit - Private",
        "Voluntary non-profit - Private",
        "Voluntary non-profit - Church",
        "Proprietary",
        "Government - Local",
    ],
    "cah": [
        "Government - Hospital District or Authority",
        "Voluntary non-profit - Private",
        "Government - Local",
        "Voluntary non-profit - Other",
    ],
    "childrens": ["Voluntary non-profit - Private"],
    "psych": ["Proprietary", "Government - State"],
}
