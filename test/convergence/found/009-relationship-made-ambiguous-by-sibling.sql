-- a single-table sibling's foreign key makes an existing relationship ambiguous: the migrated database keeps it, a fresh one refuses it
-- Registering a second key in Loan itself was refused (42702) as it should be; a sibling's was not.
-- (found by seed 606, histories 16 and 43)
-- corm now refuses Order in A as it refuses the second key in Loan (42702: the relationship
-- could follow either key), so B holds the definitions without Order.
-- @A
SELECT corm.register_model('Review', columns => 'id integer PRIMARY KEY');
SELECT corm.register_model('Genre', columns => 'id integer PRIMARY KEY, kind text', polymorphic_on => 'kind');
SELECT corm.register_model('Loan', columns => 'review_id integer REFERENCES review', parent => 'Genre');
SELECT corm.register_relationship('Review', 'loans', 'Loan');
SELECT corm.register_model('Order', columns => 'rank_id integer REFERENCES review', parent => 'Genre');
-- @B
SELECT corm.register_model('Review', columns => 'id integer PRIMARY KEY');
SELECT corm.register_model('Genre', columns => 'id integer PRIMARY KEY, kind text', polymorphic_on => 'kind');
SELECT corm.register_model('Loan', columns => 'review_id integer REFERENCES review', parent => 'Genre');
SELECT corm.register_relationship('Review', 'loans', 'Loan');
