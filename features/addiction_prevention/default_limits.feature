@CSW-ADD-3
Feature: Default daily limits by age band
  Where the guardian set no limit, the watch applies a default no longer than
  the profile's limit for the child's age band.

  Scenario Outline: The default limit holds for each age band
    Given the child is in age band "<band>"
    When the child uses an everyday app for one minute past the band's default daily limit
    And the child tries to open an everyday app
    Then the watch refuses

    Examples:
      | band     |
      | age-3-7  |
      | age-8-13 |
