"""Forename diminutives and spelling variants, each mapped to one canonical name.

Police, prison and social-care records name the same child `Alfie` and `Alfred`, `Mo` and
`Mohammed`, `Katie` and `Catherine`. Comparing forenames through this table lets one level of
the models say "the same name, another form", which string similarity alone cannot
(`Bill` / `William` share no letters worth scoring). Groups are the common English
diminutives and the commonest transliteration variants; a name missing here still has its
Jaro-Winkler levels. Ambiguous diminutives (`Chris`, `Sam`, `Alex`, `Jo`) map to the name
they most often shorten for men and women alike, since the sex comparison separates the two.
"""

from __future__ import annotations

from paramount.db.backend import Backend

# canonical: space-separated other forms (upper-cased when loaded)
_GROUPS: dict[str, str] = {
    "ALEXANDER": "ALEX SANDY XANDER ALEC LEX SASHA",
    "ALFRED": "ALFIE ALF FREDDIE",
    "ANDREW": "ANDY DREW ANDIE",
    "ANTHONY": "TONY ANTONY ANT",
    "ARCHIBALD": "ARCHIE ARCHY",
    "BARTHOLOMEW": "BART",
    "BENJAMIN": "BEN BENNY BENJI BENJY",
    "BRADLEY": "BRAD",
    "CALLUM": "CALUM CAL",
    "CAMERON": "CAM",
    "CATHERINE": "KATHERINE KATHRYN CATHRYN KATHARINE CATHARINE KATE KATIE KATY CATH CATHY "
    "KATHY KAT KITTY KAYE",
    "CHARLES": "CHARLIE CHAS CHUCK CHARLEY",
    "CHARLOTTE": "LOTTIE LOTTY CHARLI",
    "CHRISTOPHER": "CHRIS KIT CHRISSY KRIS KRISTOPHER",
    "DANIEL": "DAN DANNY DANI",
    "DAVID": "DAVE DAVEY DAVY",
    "DOMINIC": "DOM DOMINICK",
    "DONALD": "DON DONNY",
    "EDWARD": "ED EDDIE EDDY TED TEDDY NED",
    "ELEANOR": "ELLIE ELLY NELL NELLIE ELINOR",
    "ELIZABETH": "LIZ LIZZIE LIZZY BETH BETTY BETSY ELIZA LIBBY BESS BESSIE LIZA ELISABETH",
    "EMILY": "EMMIE EMILIA",
    "EMMA": "EMS EMMY",
    "FRANCIS": "FRANK FRANKIE FRAN FRANKLIN",
    "FREDERICK": "FRED FREDDY FREDERIC FREDDIE",
    "GABRIEL": "GABE GABBY",
    "GEORGE": "GEORDIE GEORGIE",
    "GERALD": "GERRY JERRY GERARD GED",
    "GREGORY": "GREG GREGG",
    "HARRY": "HAL",
    "HENRY": "HANK HENRIK",
    "ISABEL": "ISABELLE ISABELLA IZZY IZZIE ISOBEL BELLA ISSY",
    "JACOB": "JAKE JAKOB",
    "JAMES": "JIM JIMMY JAMIE JIMMIE JAMEY",
    "JENNIFER": "JEN JENNY JENNI JENNIE",
    "JESSICA": "JESS JESSIE JESSY",
    "JOHN": "JOHNNY JOHNNIE JON JACKIE",
    "JONATHAN": "JONNY JONTY JONO",
    "JOSEPH": "JOE JOEY JO JOSE",
    "JOSHUA": "JOSH",
    "KENNETH": "KEN KENNY",
    "LAWRENCE": "LAURENCE LARRY LAURIE",
    "LEONARD": "LEN LENNY",
    "LOUIS": "LOU LOUIE LEWIS LUIS",
    "MARGARET": "MAGGIE MEG PEGGY PEG MARGIE MARGOT GRETA MADGE MARJORIE",
    "MARY": "MARIE MARIA MOLLY POLLY MAE MAMIE",
    "MATTHEW": "MATT MATTY MATHEW",
    "MICHAEL": "MIKE MICK MICKY MICKEY MIKEY MITCH MITCHELL",
    "MOHAMMED": "MOHAMMAD MOHAMED MUHAMMAD MUHAMMED MUHAMED MOHAMAD MOHAMMAD MO MOHD",
    "NATHAN": "NATE NAT NATHANIEL NATHANAEL",
    "NICHOLAS": "NICK NICKY NICKI NICKIE NICO NIKKI NICKOLAS NIKOLAS",
    "OLIVER": "OLLIE OLLY",
    "PATRICK": "PAT PADDY PATSY",
    "PETER": "PETE",
    "PHILIP": "PHIL PHILLIP PIP",
    "REBECCA": "BECKY BECCA BECKIE REBEKAH",
    "RICHARD": "RICH RICK RICKY DICK RICHIE RICKIE",
    "ROBERT": "ROB ROBBIE BOB BOBBY BERT ROBIN",
    "RONALD": "RON RONNIE RONNY",
    "SAMUEL": "SAM SAMMY SAMMIE",
    "SARAH": "SARA SAL SALLY SADIE",
    "STEPHEN": "STEVEN STEVE STEVIE STEPH STEFAN STEFFAN",
    "SUSAN": "SUE SUSIE SUZIE SUZANNE SUSANNAH SUSANNA SUKIE",
    "THEODORE": "THEO",
    "THOMAS": "TOM TOMMY TOMMIE",
    "TIMOTHY": "TIM TIMMY",
    "VICTORIA": "VICKY VICKI VIKKI TORI VIC",
    "WILLIAM": "WILL WILLIE WILLY BILL BILLY BILLIE LIAM WILF WILFRED",
    "ZACHARY": "ZACH ZAK ZACK ZAC",
    "ABIGAIL": "ABBY ABBIE ABI ABBI GAIL",
    "AMELIA": "MILLIE MILLY MELIA",
    "ANNE": "ANN ANNA ANNIE",
    "CHRISTIAN": "",
    "DEBORAH": "DEBBIE DEBRA DEB DEBBY",
    "DOROTHY": "DOT DOTTIE DOLLY DORA",
    "HELEN": "HELENA NELLY ELLEN",
    "JACQUELINE": "JACKY JACQUI JACKI",
    "JANET": "JAN JANETTE JANICE",
    "JOANNE": "JOANNA JOAN JO JOANIE",
    "JULIE": "JULIA JULIANA JULIET JULES",
    "KIMBERLEY": "KIM KIMBERLY",
    "MADELEINE": "MADDIE MADDY MADELINE MADISON",
    "MATILDA": "TILLY TILLIE MATTIE",
    "NATALIE": "NAT NATASHA TASHA NATALIA",
    "PAMELA": "PAM PAMMY",
    "SOPHIE": "SOPHIA SOFIA SOFIE",
    "THERESA": "TERESA TESS TESSA TERRI TERRY",
    "VALERIE": "VAL",
    "YUSUF": "YOUSEF YOUSSEF YOUSUF",
    "AHMED": "AHMAD AHMET",
    "ALI": "",
    "OSCAR": "OSSIE OZZY",
    "REGINALD": "REG REGGIE",
    "DOUGLAS": "DOUG DOUGIE",
    "TERENCE": "TEL TERRENCE",
    "RAYMOND": "RAY",
    "ALBERT": "AL ALBIE BERTIE",
    "AARON": "ARRON ARON",
    "KIERAN": "KIERON CIARAN",
    "CONNOR": "CONOR CONNER",
    "LEWIS": "",
    "JAYDEN": "JADEN JAYDON JAIDEN",
    "MIA": "MYA",
    "GRACE": "GRACIE",
    "EVELYN": "EVIE",
    "ROSE": "ROSIE ROSA ROSEMARY",
    "ZOE": "ZOEY",
    "HOLLY": "HOLLIE",
    "OLIVIA": "LIV LIVVY",
    "PATRICIA": "TRISH TRICIA",
    "LOUISE": "LOUISA",
    "LUCY": "LUCIE LUCIA LU",
    "ELLA": "",
    "HARRIET": "HATTIE",
    "FLORENCE": "FLO FLOSSIE FLORA",
    "WOJCIECH": "WOJTEK",
    "MALGORZATA": "GOSIA MALGOSIA",
    "KATARZYNA": "KASIA",
    "ALEKSANDRA": "OLA",
    "ALEKSANDER": "OLEK",
    "PIOTR": "PIOTREK",
    "TOMASZ": "TOMEK",
    "KRZYSZTOF": "KRZYS",
    "AGNIESZKA": "AGA",
}


def nickname_rows() -> list[tuple[str, str]]:
    """(name, canonical) for every form, the canonical name mapped to itself.

    A form listed under two canonical names keeps the first (the table must be a function).
    """
    seen: dict[str, str] = {}
    for canonical, forms in _GROUPS.items():
        seen.setdefault(canonical, canonical)
        for form in forms.split():
            seen.setdefault(form, canonical)
    return sorted(seen.items())


def register_nicknames(db: Backend, table: str = "pm_lk_nicknames") -> None:
    """Write the table into the database so standardisation can join it in SQL."""
    db.execute(f"CREATE OR REPLACE TABLE {table} (name VARCHAR PRIMARY KEY, canonical VARCHAR)")
    db.executemany(f"INSERT INTO {table} VALUES (?, ?)", nickname_rows())
