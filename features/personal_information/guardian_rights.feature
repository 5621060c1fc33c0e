@CSW-PRI-4
Feature: The guardian's rights over the child's data
  The guardian can view and export everything the watch and its platform hold
  about the child, delete it, and close the account. Nobody else can take the
  child's data out: not the child, not a stranger, not another account of the
  guardian's kind, and not the guardian's own account once it is closed.

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

  Scenario: After the account is closed no guardian operation goes through
    When the guardian closes the child's account
    And the former guardian tries each guardian operation on the child's data
    Then the watch refuses every one of them

  Scenario: Another guardian account can do nothing with the child's data
    When 30 minutes pass
    And another guardian account tries each guardian operation on the child's data
    Then the watch refuses every one of them
    And the watch is still bound to its guardian
    When the guardian tries to export the child's data
    Then the export holds the child's location history
