@testable import Indicators
import Testing

@Suite struct FormulaTests {
    @Test func parsesEvaluatesAndSubstitutesLikeTheAnnex() throws {
        let formula = try Formula.parse("(NEC/NEP)*100")
        #expect(formula.variables == ["NEC", "NEP"])
        #expect(formula.evaluate(["NEC": 2, "NEP": 6]).map { (($0 * 100).rounded()) / 100 } == 33.33)
        #expect(Formula.substitute("(NEC/NEP)*100", ["NEC": 2, "NEP": 6], IndicatorEngine.format) == "(2/6)*100")
        #expect(try Formula.parse("((DPVTI-DPVT0)/DPVT0)*100").variables == ["DPVTI", "DPVT0"])
        #expect(Formula.substitute("((DPVTI-DPVT0)/DPVT0)*100", ["DPVTI": 4, "DPVT0": 3], IndicatorEngine.format) == "((4-3)/3)*100")
        #expect(try Formula.parse("A-(B-C)").evaluate(["A": 10, "B": 5, "C": 2]) == 7)
        #expect(try Formula.parse("A-B-C").evaluate(["A": 10, "B": 5, "C": 2]) == 3)
    }

    @Test func aZeroDenominatorOrAMissingVariableGivesNilNeverZeroNorACrash() throws {
        let formula = try Formula.parse("(A/B)*100")
        #expect(formula.evaluate(["A": 2, "B": 0]) == nil)
        #expect(formula.evaluate(["A": 2]) == nil)
        #expect(Formula.substitute("(A/B)*100", ["A": 2], IndicatorEngine.format) == "(2/ND)*100")
    }

    @Test func malformedFormulasAreRejected() {
        for text in ["(A/B", "A/", "A$B", "A B", ")"] { #expect(throws: (any Error).self) { try Formula.parse(text) } }
    }

    @Test func figuresAreFormattedAsTheAnnexPrintsThem() {
        #expect(IndicatorEngine.format(33.3333) == "33.33")
        #expect(IndicatorEngine.format(100) == "100")
        #expect(IndicatorEngine.format(66.6666) == "66.67")
        #expect(IndicatorEngine.format(0.5) == "0.5")
    }
}
