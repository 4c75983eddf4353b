//! The words of the domain: kinds of institution, categories, regimes, line-item kinds.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The language a person reads: Japanese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

/// 医療機関等の種別 — what kind of institution applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 病院
    Hospital,
    /// 医科診療所
    Clinic,
    /// 歯科診療所
    DentalClinic,
    /// 薬局
    Pharmacy,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Hospital,
        Kind::Clinic,
        Kind::DentalClinic,
        Kind::Pharmacy,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::Hospital => "hospital",
            Kind::Clinic => "clinic",
            Kind::DentalClinic => "dental_clinic",
            Kind::Pharmacy => "pharmacy",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Kind::Hospital, Lang::Ja) => "病院",
            (Kind::Clinic, Lang::Ja) => "医科診療所",
            (Kind::DentalClinic, Lang::Ja) => "歯科診療所",
            (Kind::Pharmacy, Lang::Ja) => "薬局",
            (Kind::Hospital, Lang::En) => "hospital",
            (Kind::Clinic, Lang::En) => "medical clinic",
            (Kind::DentalClinic, Lang::En) => "dental clinic",
            (Kind::Pharmacy, Lang::En) => "pharmacy",
        }
    }

    /// The 点数表 digits an institution code of this kind may carry (1 医科, 3 歯科, 4 調剤).
    pub fn fee_schedules(self) -> &'static [u8] {
        match self {
            Kind::Pharmacy => &[4],
            Kind::Hospital | Kind::Clinic | Kind::DentalClinic => &[1, 3],
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// 区分 — the category that decides quota, cap and rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 病院
    Hospital,
    /// 大型チェーン薬局 — its group receives at least the threshold of prescriptions a month.
    LargeChainPharmacy,
    /// 診療所・薬局（大型チェーン薬局以外）
    ClinicOrPharmacy,
}

impl Category {
    pub const ALL: [Category; 3] = [
        Category::Hospital,
        Category::LargeChainPharmacy,
        Category::ClinicOrPharmacy,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::Hospital => "hospital",
            Category::LargeChainPharmacy => "large_chain_pharmacy",
            Category::ClinicOrPharmacy => "clinic_or_pharmacy",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Which regime pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// 特例補助 (附則第1): cost in full up to the cap.
    Special,
    /// 通常の補助 (第3): the rate times the capped cost.
    Standard,
    /// No grant: no reader, or a deadline passed.
    Ineligible,
}

impl Regime {
    pub fn id(self) -> &'static str {
        match self {
            Regime::Special => "special",
            Regime::Standard => "standard",
            Regime::Ineligible => "ineligible",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Regime::Special, Lang::Ja) => "特例補助（附則第1）",
            (Regime::Standard, Lang::Ja) => "通常の補助（第3）",
            (Regime::Ineligible, Lang::Ja) => "補助対象外",
            (Regime::Special, Lang::En) => "special regime (Suppl. Prov. 1)",
            (Regime::Standard, Lang::En) => "standard regime (§3)",
            (Regime::Ineligible, Lang::En) => "not eligible",
        }
    }
}

/// Which measure of the programme pays (stable ids in every output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// 通常の補助 (実施要領 第3): the rate times the capped cost.
    Standard,
    /// 特例補助 (附則第1, 2020-11-30): a reader applied for by 2021-03-31.
    #[serde(rename = "special_2020")]
    Special2020,
    /// The second special window (2022-08-10): reader in the window, vendor contract by a date.
    #[serde(rename = "special_2022")]
    Special2022,
    /// The difference payment (2022-08-10): an earlier reader, operation started in a period.
    #[serde(rename = "difference_2022")]
    Difference2022,
}

impl Measure {
    pub const ALL: [Measure; 4] = [
        Measure::Standard,
        Measure::Special2020,
        Measure::Special2022,
        Measure::Difference2022,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Measure::Standard => "standard",
            Measure::Special2020 => "special_2020",
            Measure::Special2022 => "special_2022",
            Measure::Difference2022 => "difference_2022",
        }
    }

    /// The measure's name, in plain words with the revision that made it.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Measure::Standard, Lang::Ja) => "通常の補助（実施要領 第3）",
            (Measure::Special2020, Lang::Ja) => "特例補助（令和3年3月までの申込み）",
            (Measure::Special2022, Lang::Ja) => "令和4年の特例（令和4年6月7日〜12月末の申込み）",
            (Measure::Difference2022, Lang::Ja) => "令和4年の差額補助",
            (Measure::Standard, Lang::En) => "standard regime (§3)",
            (Measure::Special2020, Lang::En) => "special regime (reader applied for by March 2021)",
            (Measure::Special2022, Lang::En) => {
                "2022 special window (reader applied for June–December 2022)"
            }
            (Measure::Difference2022, Lang::En) => "2022 difference payment",
        }
    }

    /// The measure that pays under a regime chosen by the special measure that applied.
    pub fn regime(self) -> Regime {
        match self {
            Measure::Standard => Regime::Standard,
            _ => Regime::Special,
        }
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// 経費の区分 — what a line item of the quote pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineItemCategory {
    /// 資格確認端末 — the verification terminal (PC), set-up, certificates.
    Terminal,
    /// パッケージソフト — package software in the receipt computer / EMR / dispensing system.
    PackageSoftware,
    /// オンライン請求回線 — a new or upgraded online-claims line.
    Line,
    /// 既存システムの改修 — modification of existing systems.
    SystemModification,
    /// ネットワーク環境の整備 — router, hub, LAN wiring, configuration.
    Network,
    /// 月額費用 — recurring charges (line fees, maintenance plans).
    Recurring,
    /// 追加のカードリーダー — readers beyond the free quota.
    ExtraReader,
    /// カスタマイズ — customisation beyond the basic package.
    Customisation,
    /// 関係のないICT機器 — unrelated ICT (cameras, Wi-Fi, signage…).
    UnrelatedIct,
    /// その他
    Other,
}

impl LineItemCategory {
    pub const ALL: [LineItemCategory; 10] = [
        LineItemCategory::Terminal,
        LineItemCategory::PackageSoftware,
        LineItemCategory::Line,
        LineItemCategory::SystemModification,
        LineItemCategory::Network,
        LineItemCategory::Recurring,
        LineItemCategory::ExtraReader,
        LineItemCategory::Customisation,
        LineItemCategory::UnrelatedIct,
        LineItemCategory::Other,
    ];

    pub fn id(self) -> &'static str {
        match self {
            LineItemCategory::Terminal => "terminal",
            LineItemCategory::PackageSoftware => "package_software",
            LineItemCategory::Line => "line",
            LineItemCategory::SystemModification => "system_modification",
            LineItemCategory::Network => "network",
            LineItemCategory::Recurring => "recurring",
            LineItemCategory::ExtraReader => "extra_reader",
            LineItemCategory::Customisation => "customisation",
            LineItemCategory::UnrelatedIct => "unrelated_ict",
            LineItemCategory::Other => "other",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        use LineItemCategory::*;
        match (self, lang) {
            (Terminal, Lang::Ja) => "資格確認端末",
            (PackageSoftware, Lang::Ja) => "パッケージソフト",
            (Line, Lang::Ja) => "オンライン請求回線",
            (SystemModification, Lang::Ja) => "既存システムの改修",
            (Network, Lang::Ja) => "ネットワーク環境の整備",
            (Recurring, Lang::Ja) => "月額費用",
            (ExtraReader, Lang::Ja) => "追加のカードリーダー",
            (Customisation, Lang::Ja) => "カスタマイズ",
            (UnrelatedIct, Lang::Ja) => "関係のないICT機器",
            (Other, Lang::Ja) => "その他",
            (Terminal, Lang::En) => "verification terminal",
            (PackageSoftware, Lang::En) => "package software",
            (Line, Lang::En) => "online-claims line",
            (SystemModification, Lang::En) => "system modification",
            (Network, Lang::En) => "network set-up",
            (Recurring, Lang::En) => "recurring charges",
            (ExtraReader, Lang::En) => "extra card readers",
            (Customisation, Lang::En) => "customisation",
            (UnrelatedIct, Lang::En) => "unrelated ICT",
            (Other, Lang::En) => "other",
        }
    }
}

/// 都道府県 (JIS X 0401), Japanese and English names, indexed by code − 1.
const PREFECTURES: [(&str, &str); 47] = [
    ("北海道", "Hokkaido"),
    ("青森県", "Aomori"),
    ("岩手県", "Iwate"),
    ("宮城県", "Miyagi"),
    ("秋田県", "Akita"),
    ("山形県", "Yamagata"),
    ("福島県", "Fukushima"),
    ("茨城県", "Ibaraki"),
    ("栃木県", "Tochigi"),
    ("群馬県", "Gunma"),
    ("埼玉県", "Saitama"),
    ("千葉県", "Chiba"),
    ("東京都", "Tokyo"),
    ("神奈川県", "Kanagawa"),
    ("新潟県", "Niigata"),
    ("富山県", "Toyama"),
    ("石川県", "Ishikawa"),
    ("福井県", "Fukui"),
    ("山梨県", "Yamanashi"),
    ("長野県", "Nagano"),
    ("岐阜県", "Gifu"),
    ("静岡県", "Shizuoka"),
    ("愛知県", "Aichi"),
    ("三重県", "Mie"),
    ("滋賀県", "Shiga"),
    ("京都府", "Kyoto"),
    ("大阪府", "Osaka"),
    ("兵庫県", "Hyogo"),
    ("奈良県", "Nara"),
    ("和歌山県", "Wakayama"),
    ("鳥取県", "Tottori"),
    ("島根県", "Shimane"),
    ("岡山県", "Okayama"),
    ("広島県", "Hiroshima"),
    ("山口県", "Yamaguchi"),
    ("徳島県", "Tokushima"),
    ("香川県", "Kagawa"),
    ("愛媛県", "Ehime"),
    ("高知県", "Kochi"),
    ("福岡県", "Fukuoka"),
    ("佐賀県", "Saga"),
    ("長崎県", "Nagasaki"),
    ("熊本県", "Kumamoto"),
    ("大分県", "Oita"),
    ("宮崎県", "Miyazaki"),
    ("鹿児島県", "Kagoshima"),
    ("沖縄県", "Okinawa"),
];

/// The name of prefecture `code` (都道府県番号 1–47), None outside that range.
pub fn prefecture_name(code: u8, lang: Lang) -> Option<&'static str> {
    let (ja, en) = PREFECTURES.get(usize::from(code).checked_sub(1)?)?;
    Some(match lang {
        Lang::Ja => ja,
        Lang::En => en,
    })
}

#[cfg(test)]
mod prefecture_tests {
    use super::*;

    #[test]
    fn prefecture_names_follow_jis_x_0401() {
        assert_eq!(prefecture_name(1, Lang::Ja), Some("北海道"));
        assert_eq!(prefecture_name(13, Lang::Ja), Some("東京都"));
        assert_eq!(prefecture_name(47, Lang::En), Some("Okinawa"));
        assert_eq!(prefecture_name(0, Lang::Ja), None);
        assert_eq!(prefecture_name(48, Lang::Ja), None);
    }
}
