-- the last test: dropping the extension leaves no catalog behind
DROP EXTENSION corm;
SELECT count(*) AS corm_schemas FROM pg_namespace WHERE nspname = 'corm';
SELECT count(*) AS corm_functions FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'corm';
