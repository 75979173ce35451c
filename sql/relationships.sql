-- Relationships as SQLAlchemy's relationship() (SPEC §6, 0.2): self-referential,
-- many-to-many through an association, backref; they follow their models
-- through renames and table moves; methods over @table@ stay with models.
CREATE SCHEMA rel;
SET search_path = rel;
\set VERBOSITY default
SELECT count(*) >= 0 AS registered FROM corm.register_model_class('RlModel', primary_key => 'id integer');

-- ===================================================== self-referential
-- one-to-many by default (Comment.replies), many-to-one with remote_side
-- (Comment.parent); backref registers the other side
SELECT count(*) > 0 AS registered FROM corm.register_model('RlComment', model_class => 'RlModel',
       columns => 'parent_id integer REFERENCES rl_comment, body text');
SELECT count(*) > 0 AS registered FROM corm.register_relationship('RlComment', 'replies', 'RlComment', backref => 'parent');
INSERT INTO rl_comment (id, parent_id, body) VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'c');
SELECT c.id, rl_comment_replies_count(c) AS replies,
       array(SELECT r.id FROM rl_comment_replies(c) r ORDER BY r.id) AS reply_ids,
       (rl_comment_parent(c)).id AS parent
  FROM rl_comment_view c ORDER BY c.id;
-- a scoped method finds a row only among the related ones
SELECT (rl_comment_replies_get(c, 3)).body AS found, (rl_comment_replies_get(c, 4)).body AS not_a_reply
  FROM rl_comment_view c WHERE c.id = 1;
SELECT model, name, target, direction, remote_side, backref FROM corm.relationships
 WHERE model = 'RlComment' ORDER BY name;
-- remote_side names the referenced column; another is refused
SELECT corm.register_relationship('RlComment', 'up', 'RlComment', remote_side => 'body');

-- ===================================================== many-to-many
SELECT count(*) > 0 AS registered FROM corm.register_model('RlPost', model_class => 'RlModel', columns => 'title text');
SELECT count(*) > 0 AS registered FROM corm.register_model('RlTag', model_class => 'RlModel', columns => 'label text');
-- through a plain table (db.Table), with a backref
CREATE TABLE rl_post_tags (post_id integer REFERENCES rl_post, tag_id integer REFERENCES rl_tag,
                           PRIMARY KEY (post_id, tag_id));
SELECT * FROM corm.register_relationship('RlPost', 'tags', 'RlTag', secondary => 'rl_post_tags', backref => 'posts') s
 WHERE s LIKE 'CREATE FUNCTION rel.rl_post_tags(%' OR s LIKE 'CREATE FUNCTION rel.rl_tag_posts(%';
INSERT INTO rl_post VALUES (1, 'p1'), (2, 'p2'), (3, 'p3');
INSERT INTO rl_tag VALUES (1, 'x'), (2, 'y'), (3, 'z');
INSERT INTO rl_post_tags VALUES (1, 1), (1, 2), (2, 2);
SELECT p.id, array(SELECT t.label FROM rl_post_tags(p) t ORDER BY 1) AS tags, rl_post_tags_count(p) AS n
  FROM rl_post_view p ORDER BY 1;
SELECT t.id, array(SELECT p.title FROM rl_tag_posts(t) p ORDER BY 1) AS posts,
       (rl_tag_posts_paginate(t, 1, 1)).total AS total
  FROM rl_tag_view t ORDER BY 1;
-- through an association model
SELECT count(*) > 0 AS registered FROM corm.register_model('RlReader', model_class => 'RlModel', columns => 'name text');
SELECT count(*) > 0 AS registered FROM corm.register_model('RlFollow', model_class => 'RlModel',
       columns => 'reader_id integer REFERENCES rl_reader, post_id integer REFERENCES rl_post');
SELECT count(*) > 0 AS registered FROM corm.register_relationship('RlReader', 'follows', 'RlPost', secondary => 'RlFollow');
INSERT INTO rl_reader VALUES (1, 'ann'); INSERT INTO rl_follow (reader_id, post_id) VALUES (1, 2), (1, 3);
SELECT array(SELECT p.title FROM rl_reader_follows(r) p ORDER BY 1) AS follows FROM rl_reader_view r;
SELECT model, name, target, direction, secondary, backref FROM corm.relationships
 WHERE model IN ('RlPost', 'RlTag', 'RlReader') ORDER BY model, name;
-- refusals
SELECT corm.register_relationship('RlPost', 'bad', 'RlTag', secondary => 'no_such_table');
SELECT corm.register_relationship('RlPost', 'bad', 'RlReader', secondary => 'rl_post_tags');
SELECT corm.register_relationship('RlPost', 'bad', 'RlTag', remote_side => 'id');
SELECT corm.register_relationship('RlPost', 'bad', 'RlPost', secondary => 'rl_post_tags');
SELECT count(*) AS none FROM corm.relationship WHERE name = 'bad';

-- ===================================================== methods over @table@
SELECT count(*) >= 0 AS registered FROM corm.register_query_class('RlWriter');
SELECT count(*) >= 0 AS registered FROM corm.register_query_method('RlWriter', 'retitle_all',
       args => 'title text', returns => 'bigint', volatility => 'volatile',
       body => 'WITH u AS (UPDATE @table@ SET title = @function@.title RETURNING 1) SELECT count(*) FROM u');
SELECT count(*) > 0 AS registered FROM corm.register_model('RlPost', model_class => 'RlModel', columns => 'title text',
       query_class => 'RlWriter');
-- the model has it; the relationships to it do not, and say so
SELECT count(*) AS statements FROM corm.register_relationship('RlTag', 'posts', 'RlPost', secondary => 'rl_post_tags',
       query_class => 'RlWriter');
SELECT proname FROM pg_proc WHERE proname LIKE '%retitle_all' ORDER BY 1;
BEGIN;
SELECT rl_post_retitle_all('same');
ROLLBACK;

-- ===================================================== relationships follow their models
SELECT count(*) > 0 AS registered FROM corm.register_model('RlOrg', model_class => 'RlModel', columns => 'name text');
SELECT count(*) > 0 AS registered FROM corm.register_model('RlMember', model_class => 'RlModel',
       columns => 'org_id integer REFERENCES rl_org');
SELECT count(*) > 0 AS registered FROM corm.register_relationship('RlMember', 'org', 'RlOrg', backref => 'members');
INSERT INTO rl_org VALUES (1, 'acme'); INSERT INTO rl_member (org_id) VALUES (1), (1);
-- a naming policy moves every table of the model class: the relationships come along
CREATE FUNCTION rel.plural(name text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT corm.camel_to_snake_case(name) || 's' $$;
SELECT count(*) >= 0 AS registered FROM corm.register_meta('RlPlural', naming => 'rel.plural(text)');
SELECT count(*) > 0 AS registered FROM corm.register_model_class('RlModel', primary_key => 'id integer', meta => 'RlPlural');
SELECT o.name, rl_orgs_members_count(o) AS members FROM rl_orgs_view o;
SELECT (rl_members_org(m)).name FROM rl_members_view m ORDER BY m.id LIMIT 1;
SELECT count(*) AS drift FROM corm.check();
SELECT model, problem, left(fix, 60) AS fix FROM corm.check();
-- and a bind moves them to another schema
SELECT count(*) >= 0 AS registered FROM corm.register_bind('rl_arch', schema => 'rl_arch');
SELECT count(*) > 0 AS registered FROM corm.register_model('RlOrg', model_class => 'RlModel', columns => 'name text',
       bind_key => 'rl_arch');
SELECT count(*) > 0 AS registered FROM corm.register_model('RlMember', model_class => 'RlModel',
       columns => 'org_id integer REFERENCES rl_arch.rl_orgs', bind_key => 'rl_arch');
SELECT rl_arch.rl_orgs_members_count(o) AS members FROM rl_arch.rl_orgs_view o;
SELECT count(*) AS drift FROM corm.check();
-- renaming the model and the foreign key's column
SELECT count(*) > 0 AS renamed FROM corm.rename_model('RlOrg', 'RlCompany');
SELECT rl_arch.rl_companys_members_count(o) AS members FROM rl_arch.rl_companys_view o;
SELECT model, name, target, function FROM corm.relationships WHERE model IN ('RlCompany', 'RlMember') ORDER BY 1, 2;
SELECT count(*) AS drift FROM corm.check();

SELECT count(*) >= 0 AS dropped FROM corm.drop_model_class('RlModel', cascade => true);
SELECT count(*) >= 0 AS dropped FROM corm.drop_meta('RlPlural');
SELECT count(*) >= 0 AS dropped FROM corm.drop_query_class('RlWriter');
SELECT count(*) >= 0 AS dropped FROM corm.drop_bind('rl_arch');
DROP SCHEMA rel CASCADE;
DROP SCHEMA rl_arch CASCADE;
