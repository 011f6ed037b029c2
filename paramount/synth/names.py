"""Synthetic name pools of the origins a UK force meets, with the variation records show.

Names are drawn by origin and sex with a Zipf-like frequency, so common names repeat across a
force as they really do (the reason blocking on names alone fails). Every name has an index
into one pool; spelling variants (Mohammed/Muhammad, Katherine/Catherine) and nicknames
(Robert -> Bob) are index maps, so records can be given another spelling by array lookup.
No list here describes a real person: these are common given names and surnames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

ORIGINS: dict[str, float] = {
    # rough shares of a south-of-England force's residents (ONS 2021 ethnic group, rounded)
    "WHITE_BRITISH": 0.72,
    "IRISH": 0.02,
    "POLISH": 0.035,
    "ROMANIAN": 0.02,
    "PAKISTANI": 0.05,
    "INDIAN": 0.045,
    "BLACK_AFRICAN": 0.03,
    "BLACK_CARIBBEAN": 0.015,
    "ARAB": 0.012,
    "PORTUGUESE": 0.008,
}

_M, _F, _S = "male", "female", "surname"

_POOLS: dict[str, dict[str, str]] = {
    "WHITE_BRITISH": {
        _M: "Oliver Jack Harry George Thomas James William Charlie Daniel Joshua Samuel "
        "Benjamin Alexander Joseph Ryan Liam Connor Callum Jordan Lewis Kieran Jamie Matthew "
        "Luke Adam Michael David Christopher Andrew Mark Paul Steven Stephen Richard Robert "
        "John Peter Anthony Gary Darren Craig Lee Dean Wayne Shaun Carl Stuart Kevin Scott "
        "Jason Nathan Aaron Tyler Kyle Bradley Reece Leo Alfie Freddie Archie Noah Jacob "
        "Ethan Mason Logan Harvey Oscar Henry Edward Philip Nicholas Jonathan Timothy Simon "
        "Martin Ian Neil Keith Brian Alan Colin Graham Terence Dennis Ronald Kenneth Derek "
        "Roy Leonard Frank Harold Albert Arthur Frederick Charles Jake Jayden Jonathon",
        _F: "Olivia Amelia Isla Ava Emily Sophie Grace Lily Chloe Jessica Ellie Charlotte "
        "Mia Poppy Evie Ruby Holly Megan Hannah Lauren Rebecca Amy Laura Emma Sarah Rachel "
        "Kirsty Gemma Stacey Kelly Leanne Danielle Natalie Samantha Victoria Katherine "
        "Catherine Elizabeth Jennifer Nicola Claire Lisa Michelle Joanne Julie Karen Tracey "
        "Donna Helen Susan Deborah Jacqueline Carol Linda Margaret Patricia Barbara Jean "
        "Sandra Janet Christine Dorothy Joan Shirley Maureen Brenda Chelsea Jade Shannon "
        "Courtney Paige Bethany Georgia Freya Phoebe Daisy Millie Rosie Scarlett Harper "
        "Willow Ivy Isabel Abigail Eleanor Zoe Louise Kathryn Ann Anne Teresa",
        _S: "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts "
        "Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke "
        "Clark Jackson Wood Turner Martin Cooper Hill Ward Morris Moore Lee King Baker "
        "Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young "
        "Griffiths Mitchell Cook Carter Richardson Bailey Collins Bell Shaw Miller Cox "
        "Richards Marshall Simpson Ellis Adams Wilkinson Foster Chapman Mason Webb Rogers "
        "Gray Hunt Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher "
        "Stevens Stephens Jenkins Dixon Fletcher Howard Pearce Cole Hart Gibson Ford Wells "
        "Porter Thomson Reid Reed Matthews Atkinson Lawrence Saunders Payne West Day Dawson "
        "Hopkins Grant Stone Lane Spencer Bradley Burton Hudson Hayes Woods Rose Hammond",
    },
    "IRISH": {
        _M: "Sean Patrick Ciaran Declan Niall Eoin Cian Conor Padraig Liam Darragh Oisin "
        "Fionn Ronan Brendan Kevin Dermot Colm Cathal Eamon",
        _F: "Siobhan Niamh Aoife Ciara Roisin Saoirse Aisling Orla Caoimhe Sinead Grainne "
        "Mairead Clodagh Deirdre Eimear Maeve Nuala Bridget",
        _S: "Murphy Kelly O'Sullivan Walsh O'Brien Byrne Ryan O'Connor O'Neill Reilly Doyle "
        "McCarthy Gallagher Doherty Kennedy Lynch Murray Quinn Moore McLoughlin Carroll "
        "Connolly Daly Brennan Burke Collins Fitzgerald Farrell Maguire Nolan",
    },
    "POLISH": {
        _M: "Jakub Kacper Szymon Mateusz Bartosz Michal Michał Piotr Krzysztof Tomasz "
        "Pawel Paweł Lukasz Łukasz Marcin Grzegorz Adam Dawid Kamil Wojciech Aleksander "
        "Jan Andrzej Marek",
        _F: "Zuzanna Julia Maja Zofia Hanna Katarzyna Malgorzata Małgorzata Agnieszka "
        "Magdalena Joanna Anna Monika Ewa Aleksandra Natalia Karolina Weronika Justyna "
        "Dominika Paulina Marta",
        _S: "Nowak Kowalski Kowalska Wisniewski Wiśniewski Wojcik Wójcik Kowalczyk "
        "Kaminski Kamiński Lewandowski Zielinski Zieliński Szymanski Wozniak Woźniak "
        "Dabrowski Kozlowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski "
        "Nowakowski Pawlowski Michalski Nowicki Adamczyk Dudek Zajac",
    },
    "ROMANIAN": {
        _M: "Andrei Alexandru Ionut Mihai Florin Cristian Adrian Gabriel Stefan Marius "
        "Bogdan Razvan Vlad Catalin Ciprian Daniel Constantin Ion Sorin Lucian",
        _F: "Ioana Maria Elena Andreea Alexandra Mihaela Cristina Georgiana Roxana Gabriela "
        "Alina Simona Denisa Bianca Raluca Larisa Florentina Adriana",
        _S: "Popescu Ionescu Popa Pop Radu Dumitru Stan Stoica Gheorghe Matei Ciobanu "
        "Rusu Munteanu Mihai Constantin Moldovan Florea Dinu Lazar Stanciu Marin Tudor "
        "Ene Barbu Nistor",
    },
    "PAKISTANI": {
        _M: "Mohammed Muhammad Mohammad Mohamed Ali Ahmed Ahmad Hassan Hussain Usman Bilal "
        "Imran Adil Zain Zayn Hamza Ibrahim Yusuf Yousaf Omar Umar Tariq Asif Shahid Kamran "
        "Faisal Rizwan Waqas Abdul Haris Ayaan Rehan Arslan Zubair",
        _F: "Fatima Fatimah Aisha Ayesha Maryam Mariam Zainab Hafsa Khadija Amina Sana "
        "Nadia Samina Shazia Rubina Nazia Saima Iqra Aleena Hira Noor Mehwish Anum Zara "
        "Zahra Safa Alisha Inaya",
        _S: "Khan Hussain Ahmed Ali Akhtar Iqbal Mahmood Rashid Shah Butt Malik Raza Aslam "
        "Bashir Qureshi Mirza Chaudhry Choudhry Anwar Saleem Javed Hanif Rehman Rahman "
        "Siddiqui Nawaz Sadiq Hameed Yousaf Riaz",
    },
    "INDIAN": {
        _M: "Arjun Rohan Aarav Vikram Rajesh Sanjay Amit Rahul Ravi Deepak Harpreet "
        "Gurpreet Jaspreet Manpreet Sukhdeep Ajay Anil Sunil Vijay Kiran Nikhil Dev Krish "
        "Ishaan Aryan Jagdeep Kuldeep Ranjit Hardeep Mandeep",
        _F: "Priya Anjali Neha Pooja Sunita Anita Kavita Rekha Meena Simran Harleen "
        "Jasleen Navdeep Amandeep Gurpreet Rajinder Parminder Kaur Divya Shreya Ananya "
        "Asha Nisha Ritu Sonia Jaspal Kamaljit Harjit",
        _S: "Patel Sharma Singh Kaur Gill Sandhu Sidhu Dhillon Bains Johal Kumar Gupta "
        "Mistry Shah Mehta Joshi Desai Parmar Chauhan Rai Sohal Bhatti Grewal Kang Virdi "
        "Atwal Basra Chahal Nair Menon",
    },
    "BLACK_AFRICAN": {
        _M: "Oluwaseun Olumide Chinedu Chukwuemeka Emeka Obinna Tunde Babatunde Kwame "
        "Kofi Kwabena Yaw Samuel Daniel David Emmanuel Joseph Michael Godfrey Tendai "
        "Tafadzwa Blessing Abdi Abdirahman Mohamed Mustafa Ayodele Femi Segun Ikenna",
        _F: "Chioma Ngozi Adaeze Amara Folasade Funmilayo Yetunde Abimbola Oluwatoyin "
        "Ama Akosua Abena Efua Esther Grace Blessing Precious Mercy Faith Favour Ruth "
        "Tendai Rumbidzai Nyasha Hodan Fadumo Halima Amina Deborah Comfort",
        _S: "Okafor Okonkwo Adeyemi Adebayo Ogunleye Oyelaran Olawale Nwosu Eze Obi "
        "Mensah Boateng Asante Owusu Osei Appiah Addo Moyo Ncube Dube Sibanda Mohamed "
        "Hassan Abdi Warsame Farah Omar Ibrahim Okoro Bello",
    },
    "BLACK_CARIBBEAN": {
        _M: "Tyrone Delroy Leon Marcus Jermaine Andre Winston Clive Errol Desmond Courtney "
        "Dwayne Devon Kareem Rashid Jerome Lloyd Neville Trevor Curtis Isaiah Elijah "
        "Malachi Josiah Tyrese Kai Kemar Shane",
        _F: "Shanice Tanisha Keisha Chantelle Latoya Marcia Beverley Sonia Janice Jasmine "
        "Aaliyah Aliyah Kiara Tiana Nia Imani Jada Jamila Monique Simone Yvonne Paulette "
        "Hyacinth Precious Shanelle",
        _S: "Campbell Williams Brown Francis Bailey Morgan Grant Thompson Johnson Clarke "
        "Henry Edwards Gordon Stewart Reid Richards Lewis Spencer Allen Wright Roberts "
        "Robinson Samuels Bennett Dacosta Beckford Forbes McKenzie Facey Lindo",
    },
    "ARAB": {
        _M: "Mohammed Mohamed Ahmed Ahmad Omar Khalid Youssef Yousef Ali Hassan Hussein "
        "Karim Kareem Tariq Samir Walid Nabil Fadi Rami Bilal Hamza Ibrahim Ebrahim "
        "Mustafa Mostafa Abdullah Adel Majid",
        _F: "Fatima Aisha Maryam Mariam Nour Noor Layla Leila Yasmin Yasmine Hana Hanan "
        "Rania Salma Dina Lina Amira Amirah Reem Sara Samira Huda Mona Rana Zeinab",
        _S: "Al-Sayed Hassan Hussein Ibrahim Mahmoud Mustafa Abdallah Abdullah Saleh "
        "Haddad Khalil Nasser Mansour Youssef Said Sayed Hamdan Aziz Karim Rahman "
        "Farouk Habib Jaber Osman Othman",
    },
    "PORTUGUESE": {
        _M: "Joao Tiago Rodrigo Diogo Miguel Pedro Rafael Goncalo Bruno Ricardo Nuno "
        "Hugo Luis Carlos Antonio Jose Manuel Francisco",
        _F: "Ana Beatriz Mariana Ines Catarina Sofia Rita Joana Marta Carolina Filipa "
        "Patricia Sandra Teresa Raquel Daniela Vanessa",
        _S: "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Jesus Sousa "
        "Fernandes Goncalves Gomes Lopes Marques Alves Almeida Ribeiro Pinto Carvalho "
        "Teixeira Moreira Correia",
    },
}

# Spelling variants: each group's names are interchangeable spellings of one name.
_VARIANT_GROUPS: tuple[str, ...] = (
    "Mohammed Muhammad Mohammad Mohamed Muhammed Mohammod",
    "Katherine Catherine Kathryn Katharine",
    "Stephen Steven",
    "Sean Shaun Shawn",
    "Lee Leigh",
    "Zoe Zoë Zoey",
    "Isabel Isobel Isabelle",
    "Aaliyah Aliyah Aleah",
    "Hannah Hanna",
    "Jayden Jaden Jaiden",
    "Connor Conor",
    "Philip Phillip",
    "Ann Anne",
    "Sarah Sara",
    "Rachel Rachael",
    "Teresa Theresa",
    "Yusuf Yousaf Yousef Youssef Yusef",
    "Ahmed Ahmad Ahmet",
    "Ibrahim Ebrahim",
    "Fatima Fatimah Fatema",
    "Aisha Ayesha Aysha",
    "Maryam Mariam Miriam",
    "Mustafa Mostafa Moustafa",
    "Omar Umar",
    "Hussain Hussein Husain",
    "Zain Zayn Zayne",
    "Nour Noor Nur",
    "Layla Leila Laila",
    "Yasmin Yasmine Jasmine",
    "Amira Amirah Ameera",
    "Karim Kareem",
    "Michal Michał",
    "Pawel Paweł",
    "Lukasz Łukasz",
    "Malgorzata Małgorzata",
    "Wisniewski Wiśniewski",
    "Wojcik Wójcik",
    "Kaminski Kamiński",
    "Zielinski Zieliński",
    "Wozniak Woźniak",
    "Jonathan Jonathon",
    "Clark Clarke",
    "Thompson Thomson",
    "Stevens Stephens",
    "Reid Reed",
    "Gray Grey",
    "Davies Davis",
    "Phillips Philips",
    "Matthews Mathews",
    "Chaudhry Choudhry Chaudhary",
    "Rehman Rahman",
    "Siobhan Shivaun",
    "Niamh Neve",
    "Kowalski Kowalska",
    "Al-Sayed Alsayed Al Sayed",
    "Joao João",
    "Goncalo Gonçalo",
    "Jose José",
    "Ines Inês",
    "O'Sullivan OSullivan",
    "O'Brien OBrien",
    "O'Connor OConnor",
    "O'Neill ONeill",
    "Shanice Shaniece",
    "Chantelle Shantelle",
    "Kiara Ciara",
)

_NICKNAMES: dict[str, str] = {
    "Robert": "Bob Rob Robbie", "William": "Bill Will Billy", "Richard": "Rick Rich Dick",
    "James": "Jim Jimmy", "Michael": "Mike Mick Mikey", "Anthony": "Tony Ant",
    "Christopher": "Chris", "Daniel": "Dan Danny", "Thomas": "Tom Tommy", "Joseph": "Joe",
    "Benjamin": "Ben", "Samuel": "Sam Sammy", "Alexander": "Alex Sandy", "Matthew": "Matt",
    "Andrew": "Andy Drew", "Jonathan": "Jon Jonny", "Nicholas": "Nick Nicky",
    "Stephen": "Steve", "Steven": "Steve", "Edward": "Ed Eddie Ted", "Frederick": "Fred",
    "Charles": "Charlie Chas", "Jacob": "Jake", "Nathan": "Nate", "Timothy": "Tim",
    "Kenneth": "Ken Kenny", "Ronald": "Ron Ronnie", "Terence": "Terry", "Leonard": "Len",
    "Harold": "Harry", "Henry": "Harry Hal", "Peter": "Pete", "David": "Dave Davey",
    "Elizabeth": "Liz Beth Lizzie", "Katherine": "Kate Katie Kathy", "Catherine": "Cathy Kate",
    "Margaret": "Maggie Peggy", "Jennifer": "Jen Jenny", "Rebecca": "Becky Becca",
    "Samantha": "Sam Sammie", "Victoria": "Vicky Tori", "Jessica": "Jess Jessie",
    "Natalie": "Nat", "Deborah": "Debbie Debs", "Susan": "Sue Susie", "Patricia": "Pat Trish",
    "Christine": "Chris Chrissie", "Jacqueline": "Jackie", "Danielle": "Dani",
    "Nicola": "Nicky", "Amelia": "Millie", "Charlotte": "Lottie Charlie", "Olivia": "Liv",
    "Abigail": "Abbie Abby", "Eleanor": "Ellie Nell", "Kathryn": "Kate Kath",
    "Aleksander": "Olek", "Katarzyna": "Kasia", "Malgorzata": "Gosia", "Małgorzata": "Gosia",
    "Magdalena": "Magda", "Aleksandra": "Ola", "Krzysztof": "Krzys", "Alexandru": "Alex",
    "Mohammed": "Mo", "Muhammad": "Mo", "Oluwaseun": "Seun", "Babatunde": "Tunde",
    "Chukwuemeka": "Emeka", "Abdirahman": "Abdi", "Olumide": "Mide", "Folasade": "Sade",
    "Funmilayo": "Funmi", "Oluwatoyin": "Toyin", "Abimbola": "Bimbo", "Padraig": "Paddy",
    "Patrick": "Pat Paddy", "Bridget": "Bridie", "Francisco": "Chico", "Antonio": "Toni",
    "Gabriel": "Gabi", "Alexandra": "Alex Lexi", "Isabel": "Izzy Bella", "Florentina": "Flori",
}  # fmt: skip


@dataclass(frozen=True)
class NamePools:
    """One pool of every name string, and per origin and kind the indices to draw from."""

    strings: list[str]
    arrow: pa.Array
    variant: np.ndarray  # name index -> another spelling's index (itself if none)
    nickname: np.ndarray  # name index -> a nickname's index (itself if none)
    draw: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]  # -> (indices, cum. weights)
    origins: tuple[str, ...]
    origin_weights: np.ndarray

    def take(self, idx: np.ndarray) -> pa.Array:
        """Names for indices; -1 is null."""
        idx = np.asarray(idx)
        mask = idx < 0
        arr = pa.array(np.where(mask, 0, idx), type=pa.int32())
        out = self.arrow.take(arr)
        if mask.any():
            import pyarrow.compute as pc

            out = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), out)
        return out

    def sample(
        self, rng: np.random.Generator, origin: np.ndarray, kind: str, sex: np.ndarray | None = None
    ) -> np.ndarray:
        """Name indices for people of the given origins (and sexes for forenames)."""
        out = np.empty(len(origin), dtype=np.int32)
        u = rng.random(len(origin))
        for o, oname in enumerate(self.origins):
            for s, sname in ((0, _M), (1, _F)) if kind != _S else ((None, _S),):
                m = origin == o
                if s is not None:
                    m &= sex == s
                if not m.any():
                    continue
                idx, cum = self.draw[(oname, sname)]
                pos = np.searchsorted(cum, u[m] * cum[-1], side="right")
                out[m] = idx[pos.clip(0, len(idx) - 1)]
        return out


def build_pools() -> NamePools:
    """Assemble the pools, variant and nickname maps (deterministic: no randomness here)."""
    strings: list[str] = []
    index: dict[str, int] = {}

    def idx(name: str) -> int:
        if name not in index:
            index[name] = len(strings)
            strings.append(name)
        return index[name]

    draw: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
    for origin, kinds in _POOLS.items():
        for kind, text in kinds.items():
            names = text.split()
            ids = np.array([idx(n) for n in names], dtype=np.int32)
            w = 1.0 / np.arange(1, len(ids) + 1) ** 0.75  # Zipf-like: common names repeat
            draw[(origin, kind)] = (ids, np.cumsum(w))
    variant_groups = [[idx(n) for n in g.split(" ") if n] for g in _VARIANT_GROUPS]
    # "Al Sayed" holds a space; keep it as one name
    variant_groups[next(i for i, g in enumerate(_VARIANT_GROUPS) if g.startswith("Al-"))] = [
        idx("Al-Sayed"),
        idx("Alsayed"),
        idx("Al Sayed"),
    ]
    nick_pairs = [(idx(k), [idx(n) for n in v.split()]) for k, v in _NICKNAMES.items()]
    n = len(strings)
    variant = np.arange(n, dtype=np.int32)
    for g in variant_groups:
        for i, a in enumerate(g):
            variant[a] = g[(i + 1) % len(g)]
    nickname = np.arange(n, dtype=np.int32)
    for k, nicks in nick_pairs:
        nickname[k] = nicks[0]
    weights = np.array(list(ORIGINS.values()))
    return NamePools(
        strings=strings,
        arrow=pa.array(strings, type=pa.string()),
        variant=variant,
        nickname=nickname,
        draw=draw,
        origins=tuple(ORIGINS),
        origin_weights=weights / weights.sum(),
    )


POOLS = build_pools()
