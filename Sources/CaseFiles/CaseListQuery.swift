import Postgres

extension CaseFileReader {
    /// The list's statement: one condition for each filter that is set, each value bound where it is
    /// used (`SQLQuery` numbers them), newest registration first, `limit` rows registered before `cursor`.
    static func listQuery(_ filter: CaseFilter, limit: Int, before cursor: Int64?) -> SQLQuery {
        func text(_ value: String?) -> PostgresValue? { value.map(PostgresValue.text) }
        var query = SQLQuery("SELECT \(CaseRow.columns) FROM proj_expedientes.casos c WHERE true")
        query.append(if: text(filter.institution)) { institution in """
            AND (c.institucion_registro = \(institution)
                 OR EXISTS (SELECT 1 FROM proj_expedientes.historial h WHERE h.expediente = c.expediente AND h.institucion = \(institution))
                 OR EXISTS (SELECT 1 FROM proj_expedientes.canalizaciones r
                             WHERE r.expediente = c.expediente AND r.institucion_destino = \(institution)))
            """ }
        query.append(if: text(filter.entidad)) { "AND c.entidad_deteccion = \($0)" }
        query.append(if: text(filter.municipio)) { "AND c.municipio_deteccion = \($0)" }
        query.append(if: text(filter.status)) { "AND c.estado = \($0)" }
        query.append(if: text(filter.modality)) { "AND \($0) = ANY (c.modalidades)" }
        query.append(if: text(filter.detectedFrom?.description)) { "AND c.fecha_deteccion >= \($0)::date" }
        query.append(if: text(filter.detectedTo?.description)) { "AND c.fecha_deteccion <= \($0)::date" }
        query.append(if: filter.validated.map(PostgresValue.bool)) { "AND c.validado = \($0)" }
        query.append(if: cursor.map(PostgresValue.int64)) { "AND c.posicion_registro < \($0)" }
        // The caller's scope (CaseFilter: set by the API from their permissions, never by the caller's query).
        query.append(if: text(filter.visibleToInstitution)) { institution in """
            AND (c.institucion_registro = \(institution)
                 OR (c.compartir AND EXISTS (SELECT 1 FROM proj_expedientes.canalizaciones r
                                              WHERE r.expediente = c.expediente AND r.institucion_destino = \(institution)
                                                AND r.estado <> 'rechazada')))
            """ }
        query.append(if: text(filter.registeredBy)) { """
            AND EXISTS (SELECT 1 FROM public.events e WHERE e.stream_id = c.expediente AND e.version = 1 AND e.metadata->>'userId' = \($0))
            """ }
        query.append(if: text(filter.withinEntidad)) { "AND c.entidad_deteccion = \($0)" }
        if let match = filter.indexMatch {
            let kind = query.bind(.text(match.kind.rawValue)), digests = query.bind(.array(.bytea(match.digests)))
            let count = query.bind(.int64(Int64(match.digests.count)))
            query.append("""
                AND c.expediente IN (SELECT b.subject FROM public.blind_indexes b WHERE b.kind = \(kind) AND b.digest = ANY (\(digests))
                                      GROUP BY b.subject HAVING count(*) = \(count))
                """)
        }
        let rows = query.bind(.int64(Int64(limit)))
        query.append("ORDER BY c.posicion_registro DESC LIMIT \(rows)")
        return query
    }
}
