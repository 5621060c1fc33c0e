@CSW-ADD-8
Feature: Controls survive reboot and factory reset

  Scenario: The daily limit survives a reboot
    Given a watch bound to its guardian
    And the guardian sets a short daily limit
    When the watch reboots
    Then the guardian's daily limit is unchanged

  Scenario: A factory reset from the watch does not drop the guardian
    Given a watch bound to its guardian
    And the guardian sets a short daily limit
    When the child tries a factory reset
    Then the watch is still bound to its guardian
    And the guardian's daily limit is unchanged
