-- corm.diagram() (SPEC §8): the models as an entity-relationship diagram,
-- in mermaid or Graphviz's DOT.  Without a list it draws every model of the
-- catalog, so this test works in a database of its own, where only the
-- models below exist, and drops it at the end.  test/diagram/render.t runs
-- the same kinds of output through the real renderers.
\set regress_db :DBNAME
SET client_min_messages = warning;
DROP DATABASE IF EXISTS corm_regress_diagram;
RESET client_min_messages;
CREATE DATABASE corm_regress_diagram TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
\c corm_regress_diagram
CREATE EXTENSION corm;
CREATE SCHEMA diagram;
SET search_path = diagram;
\pset format unaligned
\pset tuples_only on
\set SHOW_CONTEXT never

-- the seed's models, with a relationship (the statements corm runs and its
-- notices are other tests' subject)
SET client_min_messages = warning;
\o /dev/null
SELECT corm.register_model_class('IdModel', primary_key => 'id integer');
SELECT corm.register_model('User', model_class => 'IdModel', columns => 'name varchar');
SELECT corm.register_model('Employee', parent => 'User', columns => 'title varchar');
SELECT corm.register_mixin('TimestampMixin',
  columns  => 'created timestamp NOT NULL DEFAULT now(), updated timestamp',
  onupdate => 'updated = now()');
SELECT corm.register_model('Author', model_class => 'IdModel');
SELECT corm.register_model('Post', model_class => 'IdModel', mixins => '{TimestampMixin}',
  columns => 'author_id int REFERENCES author');
SELECT corm.register_relationship('Author', 'posts', 'Post');
\o
RESET client_min_messages;

-- mermaid by default: an entity per model (a generated id, the name as its
-- alias), each column with its keys and its origin, the joined subclass
-- as an identifying relationship, Author.posts with its crow's feet
SELECT corm.diagram();
-- DOT: a table per model, saying how it is stored
SELECT corm.diagram('dot');

-- single-table subclasses of a root with a discriminator, a second level
-- of joined inheritance, an abstract parent, relationships both ways
SET client_min_messages = warning;
\o /dev/null
SELECT corm.register_model('Item', model_class => 'IdModel', polymorphic_on => 'type',
  columns => 'type text NOT NULL, owner_id int REFERENCES "user"');
SELECT corm.register_model('Gift', parent => 'Item', model_class => 'Model', columns => 'wrapped boolean');
SELECT corm.register_model('Manager', parent => 'Employee', columns => 'reports int');
SELECT corm.register_model('Named', abstract => true, columns => 'label text');
SELECT corm.register_model('Tag', parent => 'Named', model_class => 'IdModel');
SELECT corm.register_relationship('Post', 'author', 'Author');
SELECT corm.register_relationship('User', 'items', 'Item');
\o
RESET client_min_messages;
SELECT name, kind, parent FROM corm.models;
SELECT corm.diagram('mermaid', '{Item,Gift,User}');
SELECT corm.diagram('dot', '{Item,Gift}');

-- the list picks models; the order is always the catalog's
SELECT corm.diagram('mermaid', '{Post,Author}');
SELECT corm.diagram('dot', '{Post,Author}') = corm.diagram('dot', '{Author,Post,Author}') AS same_order;
-- a subclass whose parent is left out hangs from its nearest drawn ancestor
SELECT corm.diagram('mermaid', '{User,Manager}');
-- and alone it has none; relationships need both ends drawn
SELECT corm.diagram('mermaid', '{Manager,Item}');
-- without a list, abstract models are not drawn: they have no table, and
-- their subclasses' columns name them; named in the list, they are drawn
SELECT position('Named' IN corm.diagram()) > 0 AS abstract_drawn,
       position('inherited from Named' IN corm.diagram()) > 0 AS origin_named;
SELECT corm.diagram('mermaid', '{Named,Tag}');
SELECT corm.diagram('dot', '{Named}');
SELECT corm.diagram('mermaid', '{}');
SELECT corm.diagram('dot', '{}');
-- the format is a keyword: case does not matter
SELECT corm.diagram('DOT') = corm.diagram('dot') AS dot, corm.diagram('Mermaid') = corm.diagram() AS mermaid;

-- indexes: UK on the columns of a unique index (here email, and both of
-- org and slug), "indexed" on the first column of another one, partial
-- ones too (deleted_at); an expression index marks no column
SET client_min_messages = warning;
\o /dev/null
SELECT corm.register_mixin('SoftDelete', columns => 'deleted_at timestamp',
  indexes => ARRAY['ix_%(table)s_deleted (deleted_at) WHERE deleted_at IS NOT NULL']);
SELECT corm.register_model('Account', model_class => 'IdModel', mixins => '{SoftDelete}',
  columns => 'email text, org int, slug text, name text, score int',
  indexes => ARRAY['UNIQUE (email)', 'UNIQUE (org, slug)', '(lower(name))', '(score DESC) INCLUDE (name)']);
\o
RESET client_min_messages;
SELECT corm.diagram('mermaid', '{Account}');
SELECT corm.diagram('dot', '{Account}');

-- errors
SELECT corm.diagram('svg');
\echo :LAST_ERROR_SQLSTATE
SELECT corm.diagram(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT corm.diagram('dot', '{Author,Nope}');
\echo :LAST_ERROR_SQLSTATE
SELECT corm.diagram('dot', ARRAY['Author', NULL]);
\echo :LAST_ERROR_SQLSTATE

-- hostile names: no name is written where a renderer reads syntax.  In
-- mermaid every character that could mean something is a reference
-- (#34; for "), a newline is its picture; in DOT, names are XML text in
-- HTML-like labels (&quot; &lt; &amp;) with backslashes doubled, since
-- Graphviz expands \N and \G in them
SET client_min_messages = warning;
\o /dev/null
SELECT corm.register_model_class('Id"Model<b>', primary_key => 'id integer');
SELECT corm.register_mixin(E'Mix}\\in{ %% #35; `x`',
  columns => E'"a""b\\c" text, "new\nline" int, "<td>|{}" text, "PK" int, "direction TB" int, "x\\Ny\\G" int');
SELECT corm.register_model('User"]; node [x] } -- %%{init}%% direction TB', model_class => 'Id"Model<b>',
  tablename => 'hostile_user', mixins => ARRAY[E'Mix}\\in{ %% #35; `x`'],
  columns => '"Ünïcödé ßﬂ°¶ ☃" text, "graph" int, "end" text, "style: x #fff;" text, "&amp;" text');
SELECT corm.register_model('<TABLE>&amp;', parent => 'User"]; node [x] } -- %%{init}%% direction TB',
  tablename => 'hostile_sub', columns => '"]]>" text');
SELECT corm.register_model('Target {x} ||--o{ digraph', model_class => 'Id"Model<b>',
  tablename => 'hostile_target',
  columns => '"owner id" int REFERENCES hostile_user, "`" text, "classDef x fill:#f00;" text');
SELECT corm.register_relationship('Target {x} ||--o{ digraph', 'node',
                                  'User"]; node [x] } -- %%{init}%% direction TB');
\o
RESET client_min_messages;
SELECT corm.diagram('mermaid', ARRAY(SELECT name FROM corm.model WHERE table_name LIKE 'hostile%'));
SELECT corm.diagram('dot', ARRAY(SELECT name FROM corm.model WHERE table_name LIKE 'hostile%'));

\c :regress_db
DROP DATABASE corm_regress_diagram;
