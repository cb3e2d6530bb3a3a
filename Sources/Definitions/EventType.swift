import Foundation

/// Every event type of `events/definitions`, as a name the compiler checks: Swift code that decides
/// on or reads an event names it through this enum, never as a free string, so a typo is a compile
/// error. The definitions remain the source of truth: `DefinitionSet.missingEventTypes()` (run by
/// `sintra` whenever it loads the definitions, and by `EventTypeTests`) reports a case whose raw
/// value no definition declares, and the test also reports a definition this enum lacks.
///
/// Grouped by the kind of stream (`x-evento.flujo.tipo`) each type is recorded in.
public enum EventType: String, CaseIterable, Sendable {
    // AccionDeDifusion
    case accionDeDifusionRealizada = "AccionDeDifusionRealizada"
    // AccionDeInclusionEducativa
    case accionDeInclusionEnElSectorEducativoRealizada = "AccionDeInclusionEnElSectorEducativoRealizada"
    // AccionEstrategicaDeDerechosHumanos
    case accionEstrategicaDeDerechosHumanosRealizada = "AccionEstrategicaDeDerechosHumanosRealizada"
    // ActualizacionDelProgramaDeCapacitacion
    case programaNacionalDeCapacitacionActualizado = "ProgramaNacionalDeCapacitacionActualizado"
    // AcuerdoCIES
    case acuerdoCIESAdoptado = "AcuerdoCIESAdoptado"
    case acuerdoCIESSeguido = "AcuerdoCIESSeguido"
    // AvanceLegislativo
    case avanceLegislativoRegistrado = "AvanceLegislativoRegistrado"
    // Capacitacion
    case capacitacionImpartida = "CapacitacionImpartida"
    // ColaboracionInternacional
    case colaboracionInternacionalRegistrada = "ColaboracionInternacionalRegistrada"
    // ConsultaDeDatosPersonales
    case datosPersonalesConsultados = "DatosPersonalesConsultados"
    // Convenio
    case convenioFirmado = "ConvenioFirmado"
    // DefinicionDeIndicador
    case definicionDeIndicadorAdoptada = "DefinicionDeIndicadorAdoptada"
    // EspacioDeParticipacion
    case espacioDeParticipacionCelebrado = "EspacioDeParticipacionCelebrado"
    case recomendacionDeReformaEmitida = "RecomendacionDeReformaEmitida"
    // Expediente
    case atencionOtorgada = "AtencionOtorgada"
    case canalizacionAceptada = "CanalizacionAceptada"
    case canalizacionRechazada = "CanalizacionRechazada"
    case canalizacionSolicitada = "CanalizacionSolicitada"
    case casoCerrado = "CasoCerrado"
    case casoReabierto = "CasoReabierto"
    case consentimientoRegistrado = "ConsentimientoRegistrado"
    case datosGeneralesCorregidos = "DatosGeneralesCorregidos"
    case datosPersonalesBorrados = "DatosPersonalesBorrados"
    case duplicadoDescartado = "DuplicadoDescartado"
    case expedientesVinculados = "ExpedientesVinculados"
    case medidaDeProteccionDictada = "MedidaDeProteccionDictada"
    case registroValidado = "RegistroValidado"
    case victimaRegistrada = "VictimaRegistrada"
    case victimizacionCorregida = "VictimizacionCorregida"
    case victimizacionDocumentada = "VictimizacionDocumentada"
    // RegistroDeModulo: any record of a module beside the case files (EventDefinition.anyModuleRecord)
    case registroAnulado = "RegistroAnulado"
    case registroCorregido = "RegistroCorregido"
    // InformeAnual
    case informeAnualInstitucionalPresentado = "InformeAnualInstitucionalPresentado"
    // Institucion
    case institucionRegistrada = "InstitucionRegistrada"
    // Instrumento
    case instrumentoAdoptadoPorLaCI = "InstrumentoAdoptadoPorLaCI"
    case instrumentoAplicado = "InstrumentoAplicado"
    case instrumentoRegistrado = "InstrumentoRegistrado"
    // MaterialDeDifusion
    case materialDeDifusionElaborado = "MaterialDeDifusionElaborado"
    // MecanismoDeCoordinacion
    case funcionalidadDeMecanismoEvaluada = "FuncionalidadDeMecanismoEvaluada"
    case mecanismoDeCoordinacionEstablecido = "MecanismoDeCoordinacionEstablecido"
    // ModeloDeAtencion
    case modeloDeAtencionReportado = "ModeloDeAtencionReportado"
    // Operativo
    case operativoRealizado = "OperativoRealizado"
    // PlantillaInstitucional
    case plantillaInstitucionalRegistrada = "PlantillaInstitucionalRegistrada"
    // Publicacion
    case publicacionRealizada = "PublicacionRealizada"
    // Reporte
    case reporteGuardado = "ReporteGuardado"
    // Sesion
    case sesionIniciada = "SesionIniciada"
    // SesionCIES
    case sesionCIESCelebrada = "SesionCIESCelebrada"
    // UnidadEspecializada
    case personalDeUnidadEspecializadaReportado = "PersonalDeUnidadEspecializadaReportado"
    case unidadEspecializadaRegistrada = "UnidadEspecializadaRegistrada"
    // UniversoDeInstituciones
    case universoDeInstitucionesDefinido = "UniversoDeInstitucionesDefinido"
    // Usuario
    case contrasenaEstablecida = "ContrasenaEstablecida"
    case institucionDeUsuarioCambiada = "InstitucionDeUsuarioCambiada"
    case rolesDeUsuarioCambiados = "RolesDeUsuarioCambiados"
    case usuarioReactivado = "UsuarioReactivado"
    case usuarioRegistrado = "UsuarioRegistrado"
    case usuarioSuspendido = "UsuarioSuspendido"
    // ValorProgramado
    case valorProgramadoEstablecido = "ValorProgramadoEstablecido"
}

extension DefinitionSet {
    /// Cases of `EventType` no loaded definition declares (empty for the repository's definitions).
    public func missingEventTypes() -> [String] {
        EventType.allCases.map(\.rawValue).filter { latest($0) == nil }
    }

    /// The newest definition of a typed event type.
    public func latest(_ type: EventType) -> EventDefinition? { latest(type.rawValue) }
}
