//! Static vocabulary of the demo dataset: regions, parks, institutions and the pieces
//! enterprise names, addresses and contacts are composed from. Nothing here is random;
//! `lib.rs` draws from these lists with a seeded generator.

/// A district (区/县级市) of Changzhou with its GB/T 2260 code, its towns and streets
/// (镇/街道, in the order their 9-digit codes are assigned), a few real road names for
/// addresses, the prefix local companies often carry and its weight among enterprises.
pub(crate) struct District {
    pub code: &'static str,
    pub name: &'static str,
    pub towns: &'static [&'static str],
    pub roads: &'static [&'static str],
    /// Name prefix used by some local companies (常州市武进…, 溧阳…).
    pub local_prefix: &'static str,
    /// Relative share of the demo enterprises.
    pub weight: u32,
}

pub(crate) const CITY_CODE: &str = "320400";
pub(crate) const CITY_NAME: &str = "常州市";

pub(crate) const DISTRICTS: &[District] = &[
    District {
        code: "320402",
        name: "天宁区",
        towns: &[
            "天宁街道",
            "雕庄街道",
            "青龙街道",
            "红梅街道",
            "兰陵街道",
            "茶山街道",
            "郑陆镇",
        ],
        roads: &[
            "中吴大道",
            "劳动东路",
            "延陵东路",
            "关河东路",
            "青洋北路",
            "丽华北路",
            "竹林北路",
            "东方东路",
            "龙锦路",
            "青龙东路",
            "紫云路",
            "北塘河路",
        ],
        local_prefix: "常州市天宁区",
        weight: 10,
    },
    District {
        code: "320404",
        name: "钟楼区",
        towns: &[
            "南大街街道",
            "荷花池街道",
            "五星街道",
            "永红街道",
            "北港街道",
            "西林街道",
            "新闸街道",
            "邹区镇",
        ],
        roads: &[
            "延陵西路",
            "勤业路",
            "星港路",
            "玉龙南路",
            "飞龙西路",
            "怀德南路",
            "清潭路",
            "童子河西路",
            "长江中路",
            "西林路",
        ],
        local_prefix: "常州市钟楼区",
        weight: 10,
    },
    District {
        code: "320411",
        name: "新北区",
        towns: &[
            "河海街道",
            "三井街道",
            "龙虎塘街道",
            "新桥街道",
            "春江街道",
            "薛家镇",
            "罗溪镇",
            "西夏墅镇",
            "孟河镇",
            "奔牛镇",
        ],
        roads: &[
            "通江中路",
            "太湖东路",
            "黄河西路",
            "汉江路",
            "华山中路",
            "衡山路",
            "泰山路",
            "辽河路",
            "河海东路",
            "长江北路",
            "珠江路",
            "龙城大道",
        ],
        local_prefix: "常州市新北区",
        weight: 24,
    },
    District {
        code: "320412",
        name: "武进区",
        towns: &[
            "南夏墅街道",
            "西湖街道",
            "丁堰街道",
            "潞城街道",
            "戚墅堰街道",
            "湖塘镇",
            "牛塘镇",
            "洛阳镇",
            "遥观镇",
            "横林镇",
            "横山桥镇",
            "雪堰镇",
            "前黄镇",
            "礼嘉镇",
            "嘉泽镇",
            "湟里镇",
        ],
        roads: &[
            "常武中路",
            "武宜南路",
            "延政中路",
            "淹城路",
            "花园街",
            "阳湖西路",
            "聚湖东路",
            "龙门路",
            "人民东路",
            "武南路",
            "兰香路",
            "长汀路",
        ],
        local_prefix: "常州市武进",
        weight: 30,
    },
    District {
        code: "320413",
        name: "金坛区",
        towns: &[
            "西城街道",
            "东城街道",
            "尧塘街道",
            "金城镇",
            "儒林镇",
            "直溪镇",
            "朱林镇",
            "薛埠镇",
            "指前镇",
        ],
        roads: &[
            "金坛大道",
            "东门大街",
            "南环二路",
            "西环二路",
            "华城路",
            "汇福路",
            "丹阳门南路",
            "晨风路",
        ],
        local_prefix: "常州市金坛",
        weight: 12,
    },
    District {
        code: "320481",
        name: "溧阳市",
        towns: &[
            "溧城街道",
            "古渎街道",
            "昆仑街道",
            "埭头镇",
            "上黄镇",
            "戴埠镇",
            "天目湖镇",
            "别桥镇",
            "上兴镇",
            "竹箦镇",
            "南渡镇",
            "社渚镇",
        ],
        roads: &[
            "昆仑北路",
            "燕山中路",
            "平陵东路",
            "天目路",
            "泓口路",
            "罗湾路",
            "育才路",
            "南环西路",
        ],
        local_prefix: "溧阳",
        weight: 14,
    },
];

/// Functional zones (经开区, 高新区). They have no GB/T 2260 code: 320491 and 320492 are
/// local codes chosen by the platform (the "91"/"92" range is unused in 3204xx), so a
/// zone is never the region part of a 统一社会信用代码.
pub(crate) const ZONES: &[(&str, &str)] = &[
    ("320491", "常州经济开发区"),
    ("320492", "常州国家高新技术产业开发区"),
];

/// Industrial parks: name, district code, town/street (None = district level) and the
/// GB/T 4754 class most of its enterprises belong to.
pub(crate) const PARKS: &[(&str, &str, Option<&str>, &str)] = &[
    ("天宁经济开发区", "320402", Some("青龙街道"), "C34"),
    ("常州天宁郑陆工业园", "320402", Some("郑陆镇"), "C35"),
    ("钟楼经济开发区", "320404", Some("西林街道"), "C36"),
    ("钟楼区邹区灯具产业园", "320404", Some("邹区镇"), "C38"),
    ("新北区滨江经济开发区", "320411", Some("春江街道"), "C26"),
    ("常州高新区生物医药产业园", "320411", Some("薛家镇"), "C27"),
    ("常州高新区光伏智慧产业园", "320411", Some("罗溪镇"), "C38"),
    ("新北区孟河汽摩配产业园", "320411", Some("孟河镇"), "C36"),
    ("新北区西夏墅工具产业园", "320411", Some("西夏墅镇"), "C33"),
    (
        "武进国家高新区新能源产业园",
        "320412",
        Some("南夏墅街道"),
        "C38",
    ),
    ("常州西太湖科技产业园", "320412", Some("西湖街道"), "C35"),
    (
        "武进绿色建筑产业集聚示范区",
        "320412",
        Some("礼嘉镇"),
        "C30",
    ),
    ("常州经开区智能装备产业园", "320412", Some("遥观镇"), "C35"),
    (
        "常州经开区轨道交通产业园",
        "320412",
        Some("戚墅堰街道"),
        "C37",
    ),
    ("武进湖塘纺织产业园", "320412", Some("湖塘镇"), "C17"),
    ("武进洛阳汽车零部件产业园", "320412", Some("洛阳镇"), "C36"),
    ("金坛华罗庚高新区", "320413", None, "C38"),
    ("金坛经济开发区", "320413", Some("西城街道"), "C38"),
    ("金坛直溪新材料产业园", "320413", Some("直溪镇"), "C26"),
    (
        "溧阳高新区动力电池产业园",
        "320481",
        Some("昆仑街道"),
        "C38",
    ),
    ("溧阳经济开发区", "320481", None, "C34"),
    ("溧阳中关村科技产业园", "320481", Some("昆仑街道"), "C39"),
];

/// 成员单位 of the city's joint meeting. The first must stay 人社局 (the `renshe` demo
/// account is attached to it). `true` = a government/party organ (机关, USCC "11…");
/// `false` = a mass organisation (群团) whose code the demo leaves empty.
pub(crate) const MEMBER_UNITS: &[(&str, bool)] = &[
    ("常州市人力资源和社会保障局", true),
    ("常州市教育局", true),
    ("常州市工业和信息化局", true),
    ("常州市人民政府国有资产监督管理委员会", true),
    ("常州市科学技术局", true),
    ("常州市财政局", true),
    ("常州市总工会", false),
    ("常州市发展和改革委员会", true),
    ("常州市民政局", true),
    ("中共常州市委组织部", true),
    ("中共常州市委宣传部", true),
    ("中共常州市委统一战线工作部", true),
    ("常州市商务局", true),
    ("常州市农业农村局", true),
    ("常州市住房和城乡建设局", true),
    ("常州市卫生健康委员会", true),
    ("常州市统计局", true),
    ("常州市医疗保障局", true),
    ("常州市妇女联合会", false),
    ("共青团常州市委员会", false),
    ("常州市科学技术协会", false),
    ("常州市工商业联合会", false),
];

/// Address shared by the municipal bureaus (常州市行政中心).
pub(crate) const CIVIC_CENTRE: &str = "常州市新北区龙城大道1280号";

/// 产业学院: name and district code (the 常州科教城 colleges sit in 武进区).
pub(crate) const INDUSTRY_COLLEGES: &[(&str, &str)] = &[
    ("常州工业职业技术学院新能源产业学院", "320412"),
    ("常州机电职业技术学院智能装备产业学院", "320412"),
    ("常州信息职业技术学院集成电路产业学院", "320412"),
    ("常州工程职业技术学院新材料产业学院", "320412"),
    ("常州大学新能源材料产业学院", "320412"),
    ("常州纺织服装职业技术学院绿色纺织产业学院", "320412"),
    ("江苏理工学院汽车零部件产业学院", "320404"),
    ("常州卫生高等职业技术学校生物医药产业学院", "320404"),
    ("常州工学院智能制造产业学院", "320411"),
    ("河海大学常州校区物联网产业学院", "320411"),
    ("常州刘国钧高等职业技术学校轨道交通产业学院", "320402"),
    ("江苏省金坛中等专业学校新能源汽车产业学院", "320413"),
    ("江苏省溧阳中等专业学校动力电池产业学院", "320481"),
];

/// 工匠学院: name and district code.
pub(crate) const CRAFTSMAN_COLLEGES: &[(&str, &str)] = &[
    ("常州龙城工匠学院", "320402"),
    ("武进区工匠学院", "320412"),
    ("新北区工匠学院", "320411"),
    ("金坛区工匠学院", "320413"),
    ("溧阳市工匠学院", "320481"),
];

/// Towns and streets with a 职工学堂 of their own (district code, town); the other
/// 职工学堂 sit in parks (every park whose index is not 2 mod 3).
pub(crate) const TOWN_SCHOOLS: &[(&str, &str)] = &[
    ("320402", "青龙街道"),
    ("320402", "茶山街道"),
    ("320402", "郑陆镇"),
    ("320404", "北港街道"),
    ("320404", "五星街道"),
    ("320411", "薛家镇"),
    ("320411", "罗溪镇"),
    ("320411", "奔牛镇"),
    ("320412", "湖塘镇"),
    ("320412", "遥观镇"),
    ("320412", "横林镇"),
    ("320412", "雪堰镇"),
    ("320413", "儒林镇"),
    ("320413", "朱林镇"),
    ("320481", "埭头镇"),
    ("320481", "上黄镇"),
    ("320481", "天目湖镇"),
];

/// An industry (GB/T 4754 division) with its weight among demo enterprises and the words
/// that name a company's business in it.
pub(crate) struct Trade {
    pub code: &'static str,
    pub weight: u32,
    pub words: &'static [&'static str],
}

pub(crate) const TRADES: &[Trade] = &[
    // 新能源: 电气机械和器材制造业 (batteries, PV, storage, lighting).
    Trade {
        code: "C38",
        weight: 26,
        words: &[
            "新能源",
            "储能",
            "电池",
            "动力电池",
            "光伏",
            "锂电",
            "电源",
            "电气",
            "电力设备",
            "氢能",
            "电机",
            "电缆",
            "输变电设备",
            "能源",
            "照明电器",
            "光能",
        ],
    },
    // 电子信息.
    Trade {
        code: "C39",
        weight: 9,
        words: &[
            "电子",
            "微电子",
            "半导体",
            "光电",
            "通信设备",
            "智能传感",
            "集成电路",
            "显示技术",
            "电子元件",
        ],
    },
    // 新材料.
    Trade {
        code: "C26",
        weight: 7,
        words: &[
            "化工",
            "新材料",
            "精细化工",
            "涂料",
            "树脂",
            "高分子材料",
            "化学",
            "电子化学品",
        ],
    },
    Trade {
        code: "C29",
        weight: 4,
        words: &["塑业", "橡塑", "塑胶", "橡胶制品", "薄膜"],
    },
    Trade {
        code: "C30",
        weight: 3,
        words: &["石墨烯", "建材", "玻璃", "陶瓷", "碳素"],
    },
    Trade {
        code: "C32",
        weight: 2,
        words: &["铝业", "铜业", "合金材料", "金属材料"],
    },
    Trade {
        code: "C33",
        weight: 4,
        words: &["五金", "金属制品", "钢结构", "工具", "精密冲压"],
    },
    // 智能装备.
    Trade {
        code: "C34",
        weight: 11,
        words: &[
            "机械",
            "传动",
            "液压",
            "泵业",
            "轴承",
            "阀门",
            "精工",
            "齿轮",
            "动力机械",
            "压缩机",
        ],
    },
    Trade {
        code: "C35",
        weight: 9,
        words: &[
            "智能装备",
            "自动化设备",
            "环保设备",
            "机器人",
            "纺织机械",
            "数控设备",
            "干燥设备",
            "医疗器械",
            "工程机械",
        ],
    },
    Trade {
        code: "C40",
        weight: 2,
        words: &["仪器仪表", "测控技术", "计量仪器"],
    },
    // 汽车零部件, 轨道交通.
    Trade {
        code: "C36",
        weight: 10,
        words: &[
            "汽车零部件",
            "汽车部件",
            "车灯",
            "汽配",
            "汽车电子",
            "新能源汽车部件",
            "车辆配件",
        ],
    },
    Trade {
        code: "C37",
        weight: 2,
        words: &["轨道交通设备", "轨道车辆配件", "机车配件"],
    },
    // 生物医药.
    Trade {
        code: "C27",
        weight: 6,
        words: &["医药", "制药", "药业", "生物医药", "生物制药"],
    },
    // 纺织服装.
    Trade {
        code: "C17",
        weight: 2,
        words: &["纺织", "织造", "印染", "纺织品"],
    },
    Trade {
        code: "C18",
        weight: 1,
        words: &["服饰", "服装"],
    },
    // Services.
    Trade {
        code: "I65",
        weight: 3,
        words: &["软件", "信息技术", "数据", "网络"],
    },
    Trade {
        code: "M73",
        weight: 1,
        words: &["工程技术研究院", "新能源技术研究院"],
    },
    Trade {
        code: "M74",
        weight: 1,
        words: &["检测技术", "检验认证"],
    },
    Trade {
        code: "L72",
        weight: 1,
        words: &["人力资源", "企业管理"],
    },
    Trade {
        code: "G59",
        weight: 1,
        words: &["物流", "仓储物流"],
    },
];

/// First and second characters of Chinese trade names (字号).
pub(crate) const TRADE_FIRST: &[&str] = &[
    "华", "恒", "天", "金", "瑞", "鑫", "嘉", "宏", "盛", "通", "创", "新", "永", "博", "汇", "晨",
    "泰", "康", "联", "达", "凯", "润", "智", "正", "德", "辰", "锦", "龙", "安", "远", "协", "中",
    "东", "美", "科", "明", "宇", "兴", "亿", "信", "佳", "长", "昊", "昌", "越", "卓", "晟", "银",
    "海", "光", "茂", "弘", "朗", "鼎", "诚", "腾", "顺", "聚", "骏", "伟",
];
pub(crate) const TRADE_SECOND: &[&str] = &[
    "立", "源", "邦", "达", "盛", "利", "力", "通", "昌", "晟", "宇", "丰", "泰", "诚", "远", "阳",
    "成", "辉", "翔", "瑞", "鑫", "光", "锐", "威", "帆", "峰", "祥", "润", "捷", "明", "川", "业",
    "星", "驰", "恒", "诺", "途", "博", "航", "嘉", "科", "能", "越", "腾", "凯",
];
/// Two-character names too close to well-known real Changzhou companies: never drawn.
pub(crate) const TRADE_AVOID: &[&str] = &[
    "天合", "恒立", "星宇", "今创", "亚邦", "长海", "强力", "千红", "中创", "新誉", "东风", "中天",
    "华利", "常发", "科华", "天晟", "金昇", "恒源", "长诚", "华达", "协鑫", "天瑞", "华润", "中利",
    "龙源", "天能", "正泰", "晨光", "华星", "联通", "中航", "明阳", "光明", "华峰", "恒瑞", "恒力",
    "汇川", "信达", "通威", "鼎力", "金力", "中达", "华通", "永达",
];

/// Syllables for the trade names of foreign-invested companies (施泰(常州)… style).
pub(crate) const FOREIGN_SYLLABLES: &[&str] = &[
    "艾", "博", "施", "莱", "维", "诺", "阿", "贝", "卡", "斯", "特", "克", "森", "德", "尔", "格",
    "恩", "菲", "罗", "麦", "奥", "伯", "霍", "瓦", "赫", "蒂", "科", "兰", "马", "普",
];

pub(crate) const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "周", "吴", "徐", "孙", "朱", "钱", "蒋", "沈", "顾", "汤",
    "恽", "盛", "庄", "史", "许", "薛", "丁", "华", "邵", "潘", "承", "管", "赵", "黄",
];
pub(crate) const COMPANY_TITLES: &[&str] = &["经理", "经理", "主任", "主席", "部长", "总监"];
