-- corm benchmark: the register_model() calls of a realistic mix of models,
-- one statement a line, written to the file :out.
--
-- psql variables: prefix  one upper-case letter, part of every class name
--                 g0      the first group number
--                 n       how many models (groups of ten, cut at n)
--
-- A group of ten, g being the group number:
--   0 Item<P><g>         root, IdModel, TimestampMixin, 3 own columns
--   1 SpecialItem<P><g>  joined subclass of 0 (table with an FK)
--   2 Article<P><g>      root, NoteMixin, 4 columns, CHECK and UNIQUE
--   3 Review<P><g>       joined subclass of 2 with TrackedMixin (a mixin including one),
--                        REFERENCES item_<p><g> (the item reviewed)
--   4 Event<P><g>        root, polymorphic_on => 'type'
--   5 ClickEvent<P><g>   single-table subclass of 4 (model_class => 'Model'),
--                        REFERENCES item_<p><g> (a column of event_<p><g>)
--   6 ViewEvent<P><g>    single-table subclass of 4 (model_class => 'Model')
--   7 Asset<P><g>        abstract, IdModel, NoteMixin, 2 columns
--   8 Document<P><g>     subclass of the abstract 7: a root table, REFERENCES article_<p><g>
--   9 Order<P><g>        root, TrackedMixin, 4 columns, REFERENCES item_<p><g>
--
-- Four foreign keys in ten models besides the joined subclasses' keys, each
-- with the index corm gives it (ix_<table>_<column>), so that both sides of
-- benchmark 1 create them: the replay runs the CREATE INDEX statements
-- corm.ddl() gives.
\pset tuples_only on
\pset format unaligned
SELECT stmt
  FROM generate_series(:g0, :g0 + (:n + 9) / 10 - 1) AS g,
       LATERAL (SELECT :'prefix' || g AS s, lower(:'prefix') || g AS l) AS x,
       LATERAL (VALUES
  (0, format('SELECT corm.register_model(%L, model_class => ''IdModel'', mixins => ''{TimestampMixin}'', columns => %L);',
             'Item' || s, 'name varchar(80) NOT NULL, price numeric(10,2), qty integer DEFAULT 0')),
  (1, format('SELECT corm.register_model(%L, parent => %L, columns => %L);',
             'SpecialItem' || s, 'Item' || s, 'detail text, flag boolean NOT NULL DEFAULT false')),
  (2, format('SELECT corm.register_model(%L, model_class => ''IdModel'', mixins => ''{NoteMixin}'', columns => %L);',
             'Article' || s, 'title text NOT NULL, body text, score double precision CHECK (score >= 0), published date, UNIQUE (title, published)')),
  (3, format('SELECT corm.register_model(%L, parent => %L, mixins => ''{TrackedMixin}'', columns => %L);',
             'Review' || s, 'Article' || s, format('stars smallint NOT NULL, reviewer text, item_id integer REFERENCES %I (id) ON DELETE CASCADE', 'item_' || l))),
  (4, format('SELECT corm.register_model(%L, model_class => ''IdModel'', polymorphic_on => ''type'', columns => %L);',
             'Event' || s, 'type text NOT NULL, label text, amount bigint')),
  (5, format('SELECT corm.register_model(%L, model_class => ''Model'', parent => %L, columns => %L);',
             'ClickEvent' || s, 'Event' || s, format('x integer, y integer, item_id integer REFERENCES %I (id)', 'item_' || l))),
  (6, format('SELECT corm.register_model(%L, model_class => ''Model'', parent => %L, columns => %L);',
             'ViewEvent' || s, 'Event' || s, 'payload jsonb')),
  (7, format('SELECT corm.register_model(%L, model_class => ''IdModel'', abstract => true, mixins => ''{NoteMixin}'', columns => %L);',
             'Asset' || s, 'owner_name text, rating smallint')),
  (8, format('SELECT corm.register_model(%L, parent => %L, columns => %L);',
             'Document' || s, 'Asset' || s, format('uid uuid NOT NULL, size_bytes bigint, article_id integer REFERENCES %I (id) ON DELETE SET NULL', 'article_' || l))),
  (9, format('SELECT corm.register_model(%L, model_class => ''IdModel'', mixins => ''{TrackedMixin}'', columns => %L);',
             'Order' || s, format('code char(8) UNIQUE, weight real, item_id integer NOT NULL REFERENCES %I (id), placed timestamptz DEFAULT now()', 'item_' || l)))
       ) AS v(k, stmt)
 ORDER BY g, k
 LIMIT :n
\g :out
