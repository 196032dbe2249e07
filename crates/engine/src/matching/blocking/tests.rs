use std::collections::BTreeSet;

use super::*;
use crate::matching::score;

/// The threshold from which scoring makes a record a candidate, the flows' default.
const REVIEW_THRESHOLD: f64 = 0.75;
/// The threshold from which a lone candidate is linked, the flows' default.
const LINK_THRESHOLD: f64 = 0.92;

/// The demo companies of the sandbox: each line names one company as Salesforce and NetSuite
/// spell it, with its phone, website and email.
const DEMO_COMPANIES: &str = include_str!("../../../../sandbox/seed/demo-companies.txt");

const FIRST_WORDS: &[&str] = &[
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Wingtip",
    "Adventure",
    "Litware",
    "Proseware",
    "Woodgrove",
    "Blue",
    "Alpine",
    "Coho",
    "Graphic",
    "Lucerne",
    "Margie's",
    "Trey",
    "Humongous",
    "Wide",
    "Fourth",
    "City",
    "Southridge",
    "Consolidated",
    "Datum",
    "Relecloud",
    "Bellows",
    "Van Arsdel",
    "Best For You",
    "Nod",
    "School of Fine Art",
];

const SECOND_WORDS: &[&str] = &[
    "Traders",
    "Pharmaceuticals",
    "Robotics",
    "Toys",
    "Outdoor Supply",
    "Works Cycles",
    "Analytics",
    "Medical",
    "Credit Union",
    "Yonder Airlines",
    "Ski House",
    "Winery",
    "Design Institute",
    "Publishing",
    "Travel",
    "Research",
    "Insurance",
    "World Importers",
    "Coffee",
    "Power and Light",
    "Video",
    "Messenger",
    "Corporation",
    "Foods",
    "Organics",
];

const LEGAL_FORMS: &[&str] = &["", " Inc.", ", Inc", " LLC", " Ltd", " GmbH", " Corp."];

/// A linear congruential generator, so the data is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Returns `name` with one letter of one word replaced, the way people mistype names.
fn typo(name: &str, random: &mut Lcg) -> String {
    let mut words: Vec<Vec<char>> = name.split(' ').map(|word| word.chars().collect()).collect();
    let word = random.below(words.len());
    let position = random.below(words[word].len());
    words[word][position] = 'x';
    let words: Vec<String> = words.into_iter().map(String::from_iter).collect();
    words.join(" ")
}

/// Builds a company and a differently written copy of it for the other side, sharing some,
/// all or none of the phone and domains.
fn company_pair(random: &mut Lcg, index: usize) -> (Profile, Profile) {
    let first = random.pick(FIRST_WORDS);
    let second = random.pick(SECOND_WORDS);
    let name = format!("{first} {second}");
    let phone = format!("(206) 555-{:04}", random.below(10_000));
    let domain = format!("{}{index}.example", first.to_lowercase().replace(' ', ""));
    let website = format!("https://www.{domain}");
    let email = format!("ap@{domain}");
    let left = Profile::new(Some(&name), Some(&phone), Some(&website), None, "US");

    let written = match random.below(4) {
        0 => name.to_uppercase(),
        1 => format!("{}{}", typo(&name, random), random.pick(LEGAL_FORMS)),
        2 => format!("{first}{}", random.pick(LEGAL_FORMS)),
        _ => format!("The {name}{}", random.pick(LEGAL_FORMS)),
    };
    let phone = (random.below(3) > 0).then(|| phone.replace(['(', ')'], ""));
    let email = (random.below(2) > 0).then_some(email);
    let right = Profile::new(
        Some(&written),
        phone.as_deref(),
        None,
        email.as_deref(),
        "US",
    );
    (left, right)
}

/// Returns the profiles of the demo companies: Salesforce's spelling and NetSuite's.
fn demo_profiles() -> (Vec<Profile>, Vec<Profile>) {
    let mut salesforce = Vec::new();
    let mut netsuite = Vec::new();
    let lines = DEMO_COMPANIES
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty());
    for line in lines {
        let fields: Vec<&str> = line.split('|').collect();
        let text = |index: usize| Some(fields[index]).filter(|text| !text.is_empty());
        let profile = |name: Option<&str>| Profile::new(name, text(3), text(4), text(5), "US");
        if text(1).is_some() {
            salesforce.push(profile(text(1)));
        }
        if text(2).is_some() {
            netsuite.push(profile(text(2)));
        }
    }
    (salesforce, netsuite)
}

/// Returns every `(left, right)` pair scoring at least the review threshold, by scoring
/// all pairs.
fn brute_force(left: &[Profile], right: &[Profile]) -> BTreeSet<(usize, usize)> {
    let mut pairs = BTreeSet::new();
    for (i, a) in left.iter().enumerate() {
        for (j, b) in right.iter().enumerate() {
            if score(a, b).value >= REVIEW_THRESHOLD {
                pairs.insert((i, j));
            }
        }
    }
    pairs
}

/// Returns every pair scoring at least the review threshold among the blocked candidates.
fn blocked(left: &[Profile], right: &[Profile]) -> BTreeSet<(usize, usize)> {
    let index = BlockingIndex::new(right);
    let mut pairs = BTreeSet::new();
    for (i, a) in left.iter().enumerate() {
        for j in index.candidates(a) {
            if score(a, &right[j]).value >= REVIEW_THRESHOLD {
                pairs.insert((i, j));
            }
        }
    }
    pairs
}

/// Returns the pairs of `expected` that blocking must find but does not, by their names.
/// Blocking must find the pairs of one company (the same position on both sides), the pairs
/// scoring at least the link threshold, and the pairs sharing a phone number or a domain.
fn missed(left: &[Profile], right: &[Profile], expected: &BTreeSet<(usize, usize)>) -> Vec<String> {
    let found = blocked(left, right);
    let required = |&&(i, j): &&(usize, usize)| {
        let (a, b) = (&left[i], &right[j]);
        let same_phone = a.phone.is_some() && a.phone == b.phone;
        let same_domain = a.domains.iter().any(|domain| b.domains.contains(domain));
        i == j || same_phone || same_domain || score(a, b).value >= LINK_THRESHOLD
    };
    let name = |profile: &Profile| profile.name.clone().unwrap_or_default();
    expected
        .iter()
        .filter(required)
        .filter(|pair| !found.contains(pair))
        .map(|&(i, j)| format!("{:?} and {:?}", name(&left[i]), name(&right[j])))
        .collect()
}

#[test]
fn blocking_finds_brute_force_pairs_of_demo_companies() {
    let (salesforce, netsuite) = demo_profiles();
    let expected = brute_force(&salesforce, &netsuite);

    assert!(expected.len() >= 15, "only {} pairs", expected.len());
    assert_eq!(blocked(&salesforce, &netsuite), expected);
}

#[test]
fn blocking_finds_required_pairs_of_seeded_companies() {
    for seed in [7, 42, 2024] {
        let mut random = Lcg(seed);
        let (left, right): (Vec<Profile>, Vec<Profile>) = (0..400)
            .map(|index| company_pair(&mut random, index))
            .unzip();
        let expected = brute_force(&left, &right);
        let found = blocked(&left, &right);

        assert!(
            expected.len() >= 800,
            "seed {seed}: {} pairs",
            expected.len()
        );
        assert!(
            found.is_subset(&expected),
            "seed {seed}: pairs beyond scoring"
        );
        let missed = missed(&left, &right, &expected);
        assert_eq!(missed, Vec::<String>::new(), "seed {seed}");
        let others = expected.len() - found.len();
        assert!(
            others * 50 <= expected.len(),
            "seed {seed}: {others} of {} name-only pairs of different companies missed",
            expected.len()
        );
    }
}

#[test]
fn blocking_skips_pairs_that_share_no_key() {
    let index = BlockingIndex::new(&[
        Profile::new(Some("Northwind Traders"), None, None, None, "US"),
        Profile::new(Some("Contoso Pharmaceuticals"), None, None, None, "US"),
        Profile::new(Some("Zeta Labs"), Some("(206) 555-0101"), None, None, "US"),
    ]);

    let profile = Profile::new(
        Some("Northwind Trading"),
        Some("206-555-0101"),
        None,
        None,
        "US",
    );
    assert_eq!(index.candidates(&profile), [0, 2]);
}

#[test]
fn block_keys_skip_joining_words() {
    let profile = Profile::new(Some("Power and Light"), None, None, None, "US");
    let keys = block_keys(&profile);

    assert!(!keys.contains(&BlockKey::Word("and".to_string())));
    assert!(keys.contains(&BlockKey::Word("power".to_string())));
    assert!(keys.contains(&BlockKey::Prefix("pow".to_string())));
}

#[test]
fn block_keys_of_nameless_profile_are_empty() {
    let profile = Profile::new(None, Some("(206) 555-0101"), None, None, "US");

    assert!(block_keys(&profile).is_empty());
}
