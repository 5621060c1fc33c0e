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

  Scenario: Usable periods and disabled apps survive a reboot and a factory reset
    Given a watch bound to its guardian
    And the guardian allows use only in a period that excludes now
    And the guardian makes "camera" unavailable
    When the watch reboots
    And the guardian resets the watch to factory settings
    And the child tries to open every gated app
    Then the watch refuses every one of them
    When the guardian allows use at any time
    And the child tries to open "camera"
    Then the watch refuses
    When the child tries to open "maths"
    Then the watch allows it
