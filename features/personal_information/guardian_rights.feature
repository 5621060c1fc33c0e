@CSW-PRI-4
Feature: The guardian's rights over the child's data
  The guardian can view and export everything the watch and its platform hold
  about the child, delete it, and close the account. Nobody else can take the
  child's data out.

  Background:
    Given a watch bound to its guardian

  Scenario: The guardian exports the child's data, and nobody else can
    When 30 minutes pass
    And the guardian tries to export the child's data
    Then the watch allows it
    And the export holds the child's location history
    When the child tries to export the child's data
    Then the watch refuses
    When a stranger tries to export the child's data
    Then the watch refuses

  Scenario: Deleted data is gone
    When 30 minutes pass
    And the guardian tries to export the child's data
    Then the export holds the child's location history
    When the guardian deletes the child's data
    And the guardian tries to export the child's data
    Then the watch allows it
    And the export holds no location history of the child

  Scenario: After the account is closed the guardian's app gets no more of the child's data
    When the guardian closes the child's account
    And the guardian tries to locate the child
    Then the watch refuses
    When the guardian tries to export the child's data
    Then the watch refuses
