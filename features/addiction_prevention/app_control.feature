@CSW-ADD-7
Feature: The guardian can make any app unavailable

  Scenario: A disabled app does not open
    Given a watch bound to its guardian
    And the guardian makes "camera" unavailable
    When the child tries to open "camera"
    Then the watch refuses

  Scenario: The child cannot enable it again
    Given a watch bound to its guardian
    And the guardian makes "camera" unavailable
    When the child tries to enable "camera" again
    Then the watch refuses
    When the child tries to open "camera"
    Then the watch refuses
