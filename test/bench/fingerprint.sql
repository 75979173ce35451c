-- corm benchmark: a fingerprint of what is in schema public (tables with
-- their columns, types, nullability, defaults, identity and constraints;
-- views, triggers and functions with their definitions), to check that
-- replaying corm.ddl() builds exactly what corm built.  One line, written
-- to the file :fp_out.
\pset tuples_only on
\pset format unaligned
SELECT format('%s tables, %s columns, %s constraints, %s views, %s triggers, %s functions; md5 %s',
              count(*) FILTER (WHERE kind = 'r'),
              count(*) FILTER (WHERE kind = 'a'),
              count(*) FILTER (WHERE kind = 'c'),
              count(*) FILTER (WHERE kind = 'v'),
              count(*) FILTER (WHERE kind = 't'),
              count(*) FILTER (WHERE kind = 'f'),
              md5(coalesce(string_agg(line, E'\n' ORDER BY line), '')))
  FROM (SELECT 'r' AS kind, format('%s %s', c.relname, c.relkind) AS line
          FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
        UNION ALL
        SELECT 'a', format('%s %s %s %s %s %s', c.relname, a.attnum, a.attname,
                           pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                           a.attidentity::text || coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''))
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
        UNION ALL
        SELECT 'c', format('%s %s %s', c.relname, k.conname, pg_catalog.pg_get_constraintdef(k.oid))
          FROM pg_catalog.pg_constraint k
          JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
         WHERE c.relnamespace = 'public'::regnamespace
        UNION ALL
        SELECT 'v', format('%s %s', c.relname, pg_catalog.pg_get_viewdef(c.oid))
          FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
        UNION ALL
        SELECT 't', pg_catalog.pg_get_triggerdef(t.oid)
          FROM pg_catalog.pg_trigger t
          JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
        UNION ALL
        SELECT 'f', pg_catalog.pg_get_functiondef(p.oid)
          FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')) AS t

\g :fp_out
