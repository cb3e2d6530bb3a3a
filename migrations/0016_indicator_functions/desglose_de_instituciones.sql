-- What a ficha that counts institutions promises beside its figure: the institutions of the list
-- counted, those of the list not counted, and those that reported but are not on the list, each
-- sorted and without repeats.
CREATE FUNCTION indicadores.desglose_de_instituciones(contadas text[], lista text[], reportadas text[])
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
  SELECT jsonb_build_object(
    'contadas', coalesce((SELECT jsonb_agg(DISTINCT i ORDER BY i) FROM unnest(contadas) AS t(i)), '[]'::jsonb),
    'noContadas', coalesce((SELECT jsonb_agg(DISTINCT i ORDER BY i) FROM unnest(lista) AS t(i)
                             WHERE i NOT IN (SELECT unnest(contadas))), '[]'::jsonb),
    'fueraDeLaLista', coalesce((SELECT jsonb_agg(DISTINCT i ORDER BY i) FROM unnest(reportadas) AS t(i)
                                 WHERE i IS NOT NULL AND i NOT IN (SELECT unnest(lista))), '[]'::jsonb))
$$;
