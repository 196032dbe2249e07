//! The operators of basic search criteria, spelled as in NetSuite's `SearchDateFieldOperator`,
//! `SearchStringFieldOperator` and `SearchDoubleFieldOperator` enumerations.

/// Operators of a date criterion (`SearchDateField`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOperator {
    After,
    Before,
    On,
    OnOrAfter,
    OnOrBefore,
    /// Between the value and the second value, both included.
    Within,
    NotAfter,
    NotBefore,
    NotOn,
    NotOnOrAfter,
    NotOnOrBefore,
    NotWithin,
}

impl DateOperator {
    /// Returns the operator as NetSuite spells it (`onOrAfter`).
    pub fn as_str(self) -> &'static str {
        match self {
            DateOperator::After => "after",
            DateOperator::Before => "before",
            DateOperator::On => "on",
            DateOperator::OnOrAfter => "onOrAfter",
            DateOperator::OnOrBefore => "onOrBefore",
            DateOperator::Within => "within",
            DateOperator::NotAfter => "notAfter",
            DateOperator::NotBefore => "notBefore",
            DateOperator::NotOn => "notOn",
            DateOperator::NotOnOrAfter => "notOnOrAfter",
            DateOperator::NotOnOrBefore => "notOnOrBefore",
            DateOperator::NotWithin => "notWithin",
        }
    }

    pub(super) fn takes_two_values(self) -> bool {
        matches!(self, DateOperator::Within | DateOperator::NotWithin)
    }
}

/// Operators of a text criterion (`SearchStringField`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringOperator {
    Is,
    IsNot,
    Contains,
    DoesNotContain,
    StartsWith,
    DoesNotStartWith,
    HasKeywords,
}

impl StringOperator {
    /// Returns the operator as NetSuite spells it (`startsWith`).
    pub fn as_str(self) -> &'static str {
        match self {
            StringOperator::Is => "is",
            StringOperator::IsNot => "isNot",
            StringOperator::Contains => "contains",
            StringOperator::DoesNotContain => "doesNotContain",
            StringOperator::StartsWith => "startsWith",
            StringOperator::DoesNotStartWith => "doesNotStartWith",
            StringOperator::HasKeywords => "hasKeywords",
        }
    }
}

/// Operators of a number criterion (`SearchDoubleField`, `SearchLongField`,
/// `SearchTextNumberField`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberOperator {
    EqualTo,
    NotEqualTo,
    GreaterThan,
    GreaterThanOrEqualTo,
    LessThan,
    LessThanOrEqualTo,
    /// Between the value and the second value, both included.
    Between,
    NotBetween,
}

impl NumberOperator {
    /// Returns the operator as NetSuite spells it (`greaterThanOrEqualTo`).
    pub fn as_str(self) -> &'static str {
        match self {
            NumberOperator::EqualTo => "equalTo",
            NumberOperator::NotEqualTo => "notEqualTo",
            NumberOperator::GreaterThan => "greaterThan",
            NumberOperator::GreaterThanOrEqualTo => "greaterThanOrEqualTo",
            NumberOperator::LessThan => "lessThan",
            NumberOperator::LessThanOrEqualTo => "lessThanOrEqualTo",
            NumberOperator::Between => "between",
            NumberOperator::NotBetween => "notBetween",
        }
    }

    pub(super) fn takes_two_values(self) -> bool {
        matches!(self, NumberOperator::Between | NumberOperator::NotBetween)
    }
}
