//! Shapes of the real population, for realistic synthetic exports.

/// Hospitals by prefecture (JIS order), approximately as in the 2020 医療施設調査
/// (Survey of Medical Institutions); used as weights, so small differences do not matter.
pub const HOSPITALS: [u32; 47] = [
    548, 91, 92, 138, 67, 66, 124, 174, 106, 127, 342, 289, 638, 337, 125, 105, 92, 66, 60, 127,
    98, 170, 320, 93, 57, 163, 510, 347, 76, 82, 43, 47, 160, 235, 142, 107, 88, 137, 124, 457, 97,
    147, 210, 154, 137, 236, 89,
];

/// Population by prefecture in thousands (2020 census): weights for clinics and pharmacies.
pub const POPULATION: [u32; 47] = [
    5225, 1238, 1211, 2302, 960, 1068, 1833, 2867, 1933, 1939, 7345, 6284, 14048, 9237, 2201, 1035,
    1133, 767, 810, 2048, 1979, 3633, 7542, 1770, 1414, 2578, 8838, 5465, 1324, 922, 553, 671,
    1888, 2800, 1342, 720, 950, 1335, 692, 5135, 811, 1313, 1738, 1124, 1070, 1588, 1467,
];

/// Institutions by kind, 2020-10 (docs/rules.md): hospitals, medical clinics, dental clinics,
/// pharmacies.
pub const KIND_COUNTS: [u64; 4] = [8_300, 89_200, 71_000, 59_800];

/// Card reader applications by 2020-10-11, per mille, by kind (docs/rules.md).
pub const EARLY_RATE: [u32; 4] = [116, 90, 136, 243];

/// Surnames and places that exist in CP932 (for names).
pub const SURNAMES: [&str; 24] = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
];
pub const PLACES: [&str; 16] = [
    "さくら",
    "みなみ",
    "ひがし",
    "中央",
    "駅前",
    "本町",
    "緑が丘",
    "青葉",
    "若葉",
    "旭",
    "栄",
    "桜台",
    "城北",
    "港",
    "富士見",
    "日の出",
];
