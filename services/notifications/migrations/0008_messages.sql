-- The subject each email went out with, for the delivery log page (written when it is
-- composed for sending; NULL before, and for emails sent before this column).
ALTER TABLE deliveries ADD COLUMN subject text;
