//! NetSuite's `Country` enumeration and the ISO 3166-1 alpha-2 code of each value.
//!
//! SOAP records carry the enumeration value (`_unitedStates`), while the REST record service
//! and Salesforce's address fields carry ISO codes (`US`). The NetSuite client and the
//! sandbox's emulator both convert through this one table. Three values have no officially
//! assigned ISO code, so they take the codes in common use. The Canary Islands take `IC` and
//! Ceuta and Melilla `EA`, both reserved by ISO at the European Union's request. Kosovo takes
//! `XK`, a user-assigned code the European Commission uses.

/// Every value of the 2023_2 `platformCommonTyp:Country` enumeration with its ISO code, in
/// the schema's order.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("_afghanistan", "AF"),
    ("_alandIslands", "AX"),
    ("_albania", "AL"),
    ("_algeria", "DZ"),
    ("_americanSamoa", "AS"),
    ("_andorra", "AD"),
    ("_angola", "AO"),
    ("_anguilla", "AI"),
    ("_antarctica", "AQ"),
    ("_antiguaAndBarbuda", "AG"),
    ("_argentina", "AR"),
    ("_armenia", "AM"),
    ("_aruba", "AW"),
    ("_australia", "AU"),
    ("_austria", "AT"),
    ("_azerbaijan", "AZ"),
    ("_bahamas", "BS"),
    ("_bahrain", "BH"),
    ("_bangladesh", "BD"),
    ("_barbados", "BB"),
    ("_belarus", "BY"),
    ("_belgium", "BE"),
    ("_belize", "BZ"),
    ("_benin", "BJ"),
    ("_bermuda", "BM"),
    ("_bhutan", "BT"),
    ("_boliviaPlurinationalStateOf", "BO"),
    ("_bonaireSintEustatiusAndSaba", "BQ"),
    ("_bosniaAndHerzegovina", "BA"),
    ("_botswana", "BW"),
    ("_bouvetIsland", "BV"),
    ("_brazil", "BR"),
    ("_britishIndianOceanTerritory", "IO"),
    ("_bruneiDarussalam", "BN"),
    ("_bulgaria", "BG"),
    ("_burkinaFaso", "BF"),
    ("_burundi", "BI"),
    ("_caboVerde", "CV"),
    ("_cambodia", "KH"),
    ("_cameroon", "CM"),
    ("_canada", "CA"),
    ("_canaryIslands", "IC"),
    ("_caymanIslands", "KY"),
    ("_centralAfricanRepublic", "CF"),
    ("_ceutaAndMelilla", "EA"),
    ("_chad", "TD"),
    ("_chile", "CL"),
    ("_china", "CN"),
    ("_christmasIsland", "CX"),
    ("_cocosKeelingIslands", "CC"),
    ("_colombia", "CO"),
    ("_comoros", "KM"),
    ("_congo", "CG"),
    ("_congoTheDemocraticRepublicOfThe", "CD"),
    ("_cookIslands", "CK"),
    ("_costaRica", "CR"),
    ("_coteDIvoire", "CI"),
    ("_croatia", "HR"),
    ("_cuba", "CU"),
    ("_curacao", "CW"),
    ("_cyprus", "CY"),
    ("_czechia", "CZ"),
    ("_denmark", "DK"),
    ("_djibouti", "DJ"),
    ("_dominica", "DM"),
    ("_dominicanRepublic", "DO"),
    ("_ecuador", "EC"),
    ("_egypt", "EG"),
    ("_elSalvador", "SV"),
    ("_equatorialGuinea", "GQ"),
    ("_eritrea", "ER"),
    ("_estonia", "EE"),
    ("_eswatini", "SZ"),
    ("_ethiopia", "ET"),
    ("_falklandIslandsMalvinas", "FK"),
    ("_faroeIslands", "FO"),
    ("_fiji", "FJ"),
    ("_finland", "FI"),
    ("_france", "FR"),
    ("_frenchGuiana", "GF"),
    ("_frenchPolynesia", "PF"),
    ("_frenchSouthernTerritories", "TF"),
    ("_gabon", "GA"),
    ("_gambia", "GM"),
    ("_georgia", "GE"),
    ("_germany", "DE"),
    ("_ghana", "GH"),
    ("_gibraltar", "GI"),
    ("_greece", "GR"),
    ("_greenland", "GL"),
    ("_grenada", "GD"),
    ("_guadeloupe", "GP"),
    ("_guam", "GU"),
    ("_guatemala", "GT"),
    ("_guernsey", "GG"),
    ("_guinea", "GN"),
    ("_guineaBissau", "GW"),
    ("_guyana", "GY"),
    ("_haiti", "HT"),
    ("_heardIslandAndMcdonaldIslands", "HM"),
    ("_holySee", "VA"),
    ("_honduras", "HN"),
    ("_hongKong", "HK"),
    ("_hungary", "HU"),
    ("_iceland", "IS"),
    ("_india", "IN"),
    ("_indonesia", "ID"),
    ("_iranIslamicRepublicOf", "IR"),
    ("_iraq", "IQ"),
    ("_ireland", "IE"),
    ("_isleOfMan", "IM"),
    ("_israel", "IL"),
    ("_italy", "IT"),
    ("_jamaica", "JM"),
    ("_japan", "JP"),
    ("_jersey", "JE"),
    ("_jordan", "JO"),
    ("_kazakhstan", "KZ"),
    ("_kenya", "KE"),
    ("_kiribati", "KI"),
    ("_koreaTheDemocraticPeoplesRepublicOf", "KP"),
    ("_koreaTheRepublicOf", "KR"),
    ("_kosovo", "XK"),
    ("_kuwait", "KW"),
    ("_kyrgyzstan", "KG"),
    ("_laoPeoplesDemocraticRepublic", "LA"),
    ("_latvia", "LV"),
    ("_lebanon", "LB"),
    ("_lesotho", "LS"),
    ("_liberia", "LR"),
    ("_libya", "LY"),
    ("_liechtenstein", "LI"),
    ("_lithuania", "LT"),
    ("_luxembourg", "LU"),
    ("_macao", "MO"),
    ("_madagascar", "MG"),
    ("_malawi", "MW"),
    ("_malaysia", "MY"),
    ("_maldives", "MV"),
    ("_mali", "ML"),
    ("_malta", "MT"),
    ("_marshallIslands", "MH"),
    ("_martinique", "MQ"),
    ("_mauritania", "MR"),
    ("_mauritius", "MU"),
    ("_mayotte", "YT"),
    ("_mexico", "MX"),
    ("_micronesiaFederatedStatesOf", "FM"),
    ("_moldovaTheRepublicOf", "MD"),
    ("_monaco", "MC"),
    ("_mongolia", "MN"),
    ("_montenegro", "ME"),
    ("_montserrat", "MS"),
    ("_morocco", "MA"),
    ("_mozambique", "MZ"),
    ("_myanmar", "MM"),
    ("_namibia", "NA"),
    ("_nauru", "NR"),
    ("_nepal", "NP"),
    ("_netherlands", "NL"),
    ("_newCaledonia", "NC"),
    ("_newZealand", "NZ"),
    ("_nicaragua", "NI"),
    ("_niger", "NE"),
    ("_nigeria", "NG"),
    ("_niue", "NU"),
    ("_norfolkIsland", "NF"),
    ("_northernMarianaIslands", "MP"),
    ("_northMacedonia", "MK"),
    ("_norway", "NO"),
    ("_oman", "OM"),
    ("_pakistan", "PK"),
    ("_palau", "PW"),
    ("_palestineStateOf", "PS"),
    ("_panama", "PA"),
    ("_papuaNewGuinea", "PG"),
    ("_paraguay", "PY"),
    ("_peru", "PE"),
    ("_philippines", "PH"),
    ("_pitcairn", "PN"),
    ("_poland", "PL"),
    ("_portugal", "PT"),
    ("_puertoRico", "PR"),
    ("_qatar", "QA"),
    ("_reunion", "RE"),
    ("_romania", "RO"),
    ("_russianFederation", "RU"),
    ("_rwanda", "RW"),
    ("_saintBarthelemy", "BL"),
    ("_saintHelenaAscensionAndTristanDaCunha", "SH"),
    ("_saintKittsAndNevis", "KN"),
    ("_saintLucia", "LC"),
    ("_saintMartinFrenchPart", "MF"),
    ("_saintPierreAndMiquelon", "PM"),
    ("_saintVincentAndTheGrenadines", "VC"),
    ("_samoa", "WS"),
    ("_sanMarino", "SM"),
    ("_saoTomeAndPrincipe", "ST"),
    ("_saudiArabia", "SA"),
    ("_senegal", "SN"),
    ("_serbia", "RS"),
    ("_seychelles", "SC"),
    ("_sierraLeone", "SL"),
    ("_singapore", "SG"),
    ("_sintMaartenDutchPart", "SX"),
    ("_slovakia", "SK"),
    ("_slovenia", "SI"),
    ("_solomonIslands", "SB"),
    ("_somalia", "SO"),
    ("_southAfrica", "ZA"),
    ("_southGeorgiaAndTheSouthSandwichIslands", "GS"),
    ("_southSudan", "SS"),
    ("_spain", "ES"),
    ("_sriLanka", "LK"),
    ("_sudan", "SD"),
    ("_suriname", "SR"),
    ("_svalbardAndJanMayen", "SJ"),
    ("_sweden", "SE"),
    ("_switzerland", "CH"),
    ("_syrianArabRepublic", "SY"),
    ("_taiwan", "TW"),
    ("_tajikistan", "TJ"),
    ("_tanzaniaTheUnitedRepublicOf", "TZ"),
    ("_thailand", "TH"),
    ("_timorLeste", "TL"),
    ("_togo", "TG"),
    ("_tokelau", "TK"),
    ("_tonga", "TO"),
    ("_trinidadAndTobago", "TT"),
    ("_tunisia", "TN"),
    ("_turkiye", "TR"),
    ("_turkmenistan", "TM"),
    ("_turksAndCaicosIslands", "TC"),
    ("_tuvalu", "TV"),
    ("_uganda", "UG"),
    ("_ukraine", "UA"),
    ("_unitedArabEmirates", "AE"),
    ("_unitedKingdom", "GB"),
    ("_unitedStates", "US"),
    ("_unitedStatesMinorOutlyingIslands", "UM"),
    ("_uruguay", "UY"),
    ("_uzbekistan", "UZ"),
    ("_vanuatu", "VU"),
    ("_venezuelaBolivarianRepublicOf", "VE"),
    ("_vietNam", "VN"),
    ("_virginIslandsBritish", "VG"),
    ("_virginIslandsUS", "VI"),
    ("_wallisAndFutunaIslands", "WF"),
    ("_westernSahara", "EH"),
    ("_yemen", "YE"),
    ("_zambia", "ZM"),
    ("_zimbabwe", "ZW"),
];

/// Returns the ISO code of a `Country` value (`_unitedStates` gives `US`), or `None` for a
/// value the table does not list.
pub fn iso_code(value: &str) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|(country, _)| *country == value)
        .map(|(_, code)| *code)
}

/// Returns the `Country` value of an ISO code, in either case, or `None` for a code the
/// table does not list.
pub fn country_of_code(code: &str) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|(_, iso)| iso.eq_ignore_ascii_case(code))
        .map(|(country, _)| *country)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_codes_are_unique_two_letter_codes() {
        let mut codes: Vec<&str> = COUNTRIES.iter().map(|(_, code)| *code).collect();
        assert!(codes.iter().all(|code| code.len() == 2));
        assert!(
            codes
                .iter()
                .all(|code| code.chars().all(|c| c.is_ascii_uppercase()))
        );
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), COUNTRIES.len());
    }

    #[test]
    fn codes_round_trip() {
        assert_eq!(iso_code("_unitedStates"), Some("US"));
        assert_eq!(iso_code("_kosovo"), Some("XK"));
        assert_eq!(iso_code("_atlantis"), None);
        assert_eq!(country_of_code("gb"), Some("_unitedKingdom"));
        assert_eq!(country_of_code("ZZ"), None);
        for (country, code) in COUNTRIES {
            assert_eq!(
                country_of_code(code),
                Some(*country),
                "{code} is listed once"
            );
        }
    }
}
