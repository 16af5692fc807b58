"""Common US first and last names of mixed origins, with rough frequency weights.

A few names carry characters outside ASCII (O’Brien with U+2019, Müller, Zoë) and two
carry characters outside cp1252 (Dvořák, Thảo): files that a hospital re-saved in cp1252 may
only contain names that survive that encoding.
"""

from __future__ import annotations

import unicodedata

FIRST_NAMES = """
Mary 5|Patricia 3|Jennifer 5|Linda 2|Elizabeth 4|Barbara 2|Susan 2|Jessica 5|Sarah 5|Karen 2|
Lisa 3|Nancy 2|Betty 1|Sandra 2|Ashley 5|Kimberly 4|Emily 5|Donna 2|Michelle 4|Amanda 5|
Melissa 4|Stephanie 4|Rebecca 3|Laura 3|Amy 3|Angela 3|Rachel 3|Heather 3|Nicole 4|Megan 4|
Brittany 3|Samantha 3|Hannah 3|Olivia 3|Emma 3|Madison 2|Abigail 2|Chloe 2|Grace 2|Zoë 1|
Maria 4|Guadalupe 1|Sofía 1|Ana 2|Rosa 1|Carmen 1|Lucía 1|Ximena 1|Daniela 2|Valeria 1|
Mai 1|Linh 1|Thảo 0.4|Hoa 1|Mei 1|Priya 1|Anjali 1|Fatima 1|Aisha 1|Keisha 1|Tamika 1|
Ebony 1|Latoya 1|Imani 1|Shanice 1|Renée 1|Noémie 0.5|Ingrid 0.5|Katarzyna 0.5|Siobhan 0.5|
James 5|Robert 4|John 5|Michael 5|David 4|William 3|Richard 2|Joseph 3|Thomas 3|Christopher 4|
Charles 2|Daniel 4|Matthew 4|Anthony 3|Mark 2|Steven 2|Andrew 3|Joshua 4|Kevin 3|Brian 3|
Ryan 3|Jacob 3|Tyler 3|Brandon 3|Justin 3|Eric 2|Jonathan 2|Aaron 2|Kyle 2|Nathan 2|
José 2|Luis 2|Carlos 2|Juan 2|Miguel 1|Jesús 1|Alejandro 1|Diego 1|Javier 1|Andrés 1|
Minh 1|Duc 1|Wei 1|Hiroshi 0.5|Raj 1|Arjun 1|Mohammed 1|Omar 1|Ahmed 1|Darnell 1|
Jamal 1|DeShawn 1|Terrell 1|Malik 1|André 1|François 0.5|Jürgen 0.3|Sean 2|Patrick 2|Liam 2
"""

LAST_NAMES = """
Smith 10|Johnson 8|Williams 7|Brown 7|Jones 7|Miller 6|Davis 6|Garcia 6|Rodriguez 5|Wilson 5|
Martinez 5|Anderson 5|Taylor 5|Thomas 4|Hernandez 5|Moore 4|Martin 4|Jackson 4|Thompson 4|
White 4|Lopez 4|Lee 4|Gonzalez 4|Harris 4|Clark 3|Lewis 3|Robinson 3|Walker 3|Perez 3|Hall 3|
Young 3|Allen 3|Sanchez 3|Wright 3|King 3|Scott 3|Green 3|Baker 3|Adams 3|Nelson 3|Hill 3|
Ramirez 3|Campbell 3|Mitchell 3|Roberts 3|Carter 3|Phillips 2|Evans 2|Turner 2|Torres 2|
Parker 2|Collins 2|Edwards 2|Stewart 2|Flores 2|Morris 2|Nguyen 4|Murphy 2|Rivera 2|Cook 2|
Rogers 2|Morgan 2|Peterson 2|Cooper 2|Reed 2|Bailey 2|Bell 2|Gomez 2|Kelly 2|Howard 2|
Ward 2|Cox 2|Diaz 2|Richardson 2|Wood 2|Watson 2|Brooks 2|Bennett 2|Gray 2|James 2|
Reyes 2|Cruz 2|Hughes 2|Price 2|Myers 2|Long 2|Foster 2|Sanders 2|Ross 2|Morales 2|
Powell 2|Sullivan 2|Russell 2|Ortiz 2|Jenkins 2|Gutierrez 2|Perry 2|Butler 2|Barnes 2|
Fisher 2|Henderson 2|Coleman 2|Simmons 2|Patterson 2|Jordan 2|Reynolds 2|Hamilton 2|
Graham 2|Kim 2|Tran 2|Le 1|Pham 1|Patel 2|Shah 1|Singh 1|Chen 2|Wang 1|Liu 1|Khan 1|
Ali 1|Hassan 1|Yang 1|Schmidt 1|Schneider 1|Müller 1|Wagner 1|Becker 1|Hoffmann 1|
Kowalski 1|Nowak 1|Wiśniewski 0.3|Novak 1|Dvořák 0.3|Olson 2|Larson 1|Johansson 1|
O’Brien 1.5|O’Connor 1|McCarthy 1|Murray 1|Byrne 1|Quinn 1|Doyle 1|D’Angelo 0.5|Russo 1|
Romano 1|Esposito 1|Bianchi 0.5|Dubois 0.5|Lefèvre 0.3|Peña 1|Muñoz 1|Ibáñez 0.5|
Jiménez 1|Castillo 1|Vargas 1|Mendoza 1|Washington 1|Jefferson 1|Freeman 1|Okafor 1|
Mensah 0.5|Abdullah 0.5|Begay 0.5|Yazzie 0.3|Two Bulls 0.3|Running Horse 0.2
"""


def _parse(block: str) -> tuple[list[str], list[float]]:
    names, weights = [], []
    for entry in block.replace("\n", "").split("|"):
        entry = entry.strip()
        if not entry:
            continue
        name, weight = entry.rsplit(" ", 1)
        names.append(name)
        weights.append(float(weight))
    return names, weights


def ascii_local(name: str) -> str:
    """E-mail local part from a name: accents folded, apostrophes and spaces dropped."""
    folded = name.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def cp1252_ok(name: str) -> bool:
    try:
        name.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


FIRST, FIRST_W = _parse(FIRST_NAMES)
LAST, LAST_W = _parse(LAST_NAMES)
