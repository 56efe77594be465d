-- A factor list is numbers >= 0 separated by one comma each, in brackets or not: an empty item, a comma at either end or a bracket left open is refused (as .rank refuses them), never read as a shorter list.
SELECT * FROM whatif_rank('[0.5,');
SELECT * FROM whatif_rank('0.5,,0.9');
SELECT * FROM whatif_rank(',0.5');
SELECT * FROM whatif_rank('[0.5');
SELECT * FROM whatif_rank('0.5]');
SELECT * FROM whatif_rank('[]');
SELECT * FROM whatif_rank('0.5 0.9');
SELECT count(*) AS rows_for_two_factors FROM whatif_rank('[ 0 , 0.5 ]', 0);
