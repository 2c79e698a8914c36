-- A worker may hold several vocational certificates (职业技能等级证书). The list is kept
-- with the worker as JSON: [{"no", "skill_level", "occupation", "certified_on", "issuer"}].
-- certificate_no / certified_on / skill_level stay as the worker's current (highest)
-- certificate: they are what lists, indicators and the import template use.
ALTER TABLE workers ADD COLUMN certificates TEXT NOT NULL DEFAULT '[]';
