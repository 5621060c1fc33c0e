@CSW-PRI-2
Feature: Nothing is processed before the guardian consents
  A watch out of the box processes no personal information of the child, not
  even its position, until the guardian has consented to the children's rules.
  Binding the guardian's app is not consent.

  Scenario: The child's location is processed only after the guardian consents
    Given a watch fresh out of the box
    And the guardian binds the watch
    When 60 minutes pass
    And the guardian tries to locate the child
    Then the watch refuses
    And the watch has processed no personal information
    When the guardian consents to the rules for children's personal information
    And the guardian tries to locate the child
    Then the watch allows it
    And the watch has processed the child's location
