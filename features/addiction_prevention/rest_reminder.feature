@CSW-ADD-5
Feature: Rest reminder after continuous use

  Scenario: The watch reminds the child to rest
    Given a watch bound to its guardian
    When the child uses an everyday app for the profile's rest-reminder time
    Then the watch has reminded the child to rest
