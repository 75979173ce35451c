-- corm's regression suite: the extension is created once, by a plain user
CREATE EXTENSION corm;
SELECT extname, extversion FROM pg_extension WHERE extname = 'corm';
-- its objects, the schema corm among them, belong to it
SELECT pg_describe_object(classid, objid, 0) AS object
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'corm')
 ORDER BY pg_describe_object(classid, objid, 0) COLLATE "C";
-- the built-ins are there from the start
SELECT name FROM corm.model_class ORDER BY name COLLATE "C";
SELECT name, naming, binding FROM corm.meta ORDER BY name COLLATE "C";
SELECT name, base FROM corm.query_class ORDER BY name COLLATE "C";
