-- corm benchmark: a fingerprint of the tables in schema public (columns,
-- types, nullability, defaults, identity, constraints), to check that
-- replaying corm.ddl() builds exactly the schema corm built.  One line,
-- written to the file :fp_out.
\pset tuples_only on
\pset format unaligned
SELECT format('%s tables, %s columns, %s constraints, md5 %s',
              (SELECT count(*) FROM pg_catalog.pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'),
              count(*) FILTER (WHERE kind = 'a'),
              count(*) FILTER (WHERE kind = 'c'),
              md5(coalesce(string_agg(line, E'\n' ORDER BY line), '')))
  FROM (SELECT 'a' AS kind,
               format('%s %s %s %s %s %s', c.relname, a.attnum, a.attname,
                      pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
                      a.attidentity::text || coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '')) AS line
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
        UNION ALL
        SELECT 'c', format('%s %s %s', c.relname, k.conname, pg_catalog.pg_get_constraintdef(k.oid))
          FROM pg_catalog.pg_constraint k
          JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
         WHERE c.relnamespace = 'public'::regnamespace) AS t

\g :fp_out
