Feature: Physical safety is shown by lab reports
  The harness cannot test a battery, an enclosure or a strap. For each
  physical requirement the maker's declaration cites the test report and the
  lab that issued it; the result reads "evidence supplied" or "evidence
  missing", never a pass.

  @CSW-PHY-1
  Scenario: Lithium-ion battery safety to GB 31241
    Given the maker's device declaration
    Then it cites a lab's test report for this requirement

  @CSW-PHY-2
  Scenario: Fire enclosure flame class V-0 at 1.5 mm
    Given the maker's device declaration
    Then it cites a lab's test report for this requirement

  @CSW-PHY-3
  Scenario: No protrusions that cut or pierce
    Given the maker's device declaration
    Then it cites a lab's test report for this requirement

  @CSW-PHY-4
  Scenario: Parts do not come loose under impact
    Given the maker's device declaration
    Then it cites a lab's test report for this requirement

  @CSW-PHY-5
  Scenario: Water resistance to GB/T 30106 or GB/T 4208
    Given the maker's device declaration
    Then it cites a lab's test report for this requirement

  @CSW-PHY-6
  Scenario: Harmful substances to GB 44702-2024
    Given the maker's device declaration
    Then it cites a lab's test report for this requirement
